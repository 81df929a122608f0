%% ring.erl: the Erlang twin of examples/ring.iasm: N processes pass a token round M times.
-module(ring).
-export([main/1]).

main([NS, MS]) ->
    N = list_to_integer(NS),
    M = list_to_integer(MS),
    Self = self(),
    First = lists:foldl(fun(_, Next) -> spawn(fun() -> member(Next) end) end, Self, lists:seq(1, N - 1)),
    First ! {token, 0},
    root(First, M),
    halt().

member(Next) ->
    receive
        {token, H} -> Next ! {token, H + 1}, member(Next);
        stop -> Next ! stop
    end.

root(First, Rounds) ->
    receive
        {token, H} when Rounds > 1 -> First ! {token, H + 1}, root(First, Rounds - 1);
        {token, H} ->
            io:format("~p~n", [H + 1]),
            First ! stop,
            receive stop -> ok end
    end.
