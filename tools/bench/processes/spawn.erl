%% spawn.erl: the Erlang twin of spawn.iasm: 10 spawners each start N/10 waiters that wait for
%% one message; once every waiter waits, each spawner messages its waiters, which answer and end.
-module(spawn).
-export([main/1]).

main([NS]) ->
    N = list_to_integer(NS),
    Root = self(),
    Spawners = [spawn(fun() -> spawner(Root, N div 10) end) || _ <- lists:seq(1, 10)],
    [receive ready -> ok end || _ <- Spawners],
    [P ! go || P <- Spawners],
    [receive done -> ok end || _ <- Spawners],
    halt().

spawner(Root, Count) ->
    Self = self(),
    Waiters = [spawn(fun() -> receive go -> Self ! answer end end) || _ <- lists:seq(1, Count)],
    Root ! ready,
    receive go -> ok end,
    [W ! go || W <- Waiters],
    [receive answer -> ok end || _ <- Waiters],
    Root ! done.
