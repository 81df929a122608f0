%% The Erlang twin of tests/e2e/fixtures/programs/cross-pingpong.iasm over distribution: Pairs
%% workers on this node, each with a partner spawned on node Peer, pass a counter back and forth
%% Rounds times. Prints the microseconds the exchange took (workers started to last counter
%% collected) and the p50 and p99 round trip in microseconds (every round trip timed).
-module(pingpong_dist).
-export([main/1, partner/0]).

main([PeerS, PairsS, RoundsS]) ->
    Peer = list_to_atom(PeerS),
    Pairs = list_to_integer(PairsS),
    Rounds = list_to_integer(RoundsS),
    true = net_kernel:connect_node(Peer),
    Root = self(),
    T0 = erlang:monotonic_time(microsecond),
    [spawn(fun() -> worker(Root, Peer, Rounds) end) || _ <- lists:seq(1, Pairs)],
    Trips = collect(Pairs, []),
    T1 = erlang:monotonic_time(microsecond),
    Sorted = lists:sort(Trips),
    N = length(Sorted),
    P50 = lists:nth(max(1, N div 2), Sorted),
    P99 = lists:nth(max(1, (N * 99) div 100), Sorted),
    io:format("~p ~.2f ~.2f~n", [T1 - T0, P50 / 1000, P99 / 1000]),
    halt().

collect(0, Acc) -> Acc;
collect(K, Acc) -> receive {trips, Trips} -> collect(K - 1, Trips ++ Acc) end.

worker(Root, Peer, Rounds) ->
    Partner = spawn(Peer, ?MODULE, partner, []),
    Trips = trips(Partner, 0, Rounds, []),
    Partner ! stop,
    Root ! {trips, Trips}.

trips(_, _, 0, Acc) -> Acc;
trips(Partner, Count, Left, Acc) ->
    T = erlang:monotonic_time(nanosecond),
    Partner ! {self(), Count},
    receive {counter, Next} -> trips(Partner, Next, Left - 1, [erlang:monotonic_time(nanosecond) - T | Acc]) end.

partner() ->
    receive
        {From, Count} -> From ! {counter, Count + 1}, partner();
        stop -> ok
    end.
