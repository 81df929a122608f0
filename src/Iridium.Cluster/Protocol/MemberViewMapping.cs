namespace Iridium.Cluster.Protocol;

/// <summary>A node's member list as the messages a client gets (<see cref="MembersView"/>, then <see cref="DownMembers"/> when any is down), and back.</summary>
internal static class MemberViewMapping
{
    public static MembersView ToView(IReadOnlyList<MemberInfo> members) => new()
    {
        Members = members.Select(m => new MemberStatusRecord { NodeId = m.NodeId, Alias = m.Alias, Host = m.Host, Port = m.Port, Status = m.Status, LastSeenMs = m.LastSeenMs }).ToList(),
    };

    /// <summary>The details of the down members, or null when none is down (nothing is sent then).</summary>
    public static DownMembers? ToDownDetails(IReadOnlyList<MemberInfo> members)
    {
        var down = members.Where(m => m.Status == MemberStatus.Down).ToList();
        if (down.Count == 0) return null;
        return new DownMembers
        {
            Members = down.ConvertAll(m => new DownMemberRecord { NodeId = m.NodeId, DownSinceMs = m.DownSinceMs ?? 0, Reason = m.Reason ?? DownReason.ConnectionLost }),
        };
    }

    /// <summary>True when the view lists a down member, so a <see cref="DownMembers"/> follows it (from a node of this build).</summary>
    public static bool HasDown(MembersView view) => view.Members?.Any(m => m?.Status == MemberStatus.Down) == true;

    public static List<MemberInfo> FromView(MembersView view, DownMembers? details)
    {
        var byId = new Dictionary<Guid, DownMemberRecord>();
        foreach (var record in details?.Members ?? [])
        {
            if (record is not null) byId.TryAdd(record.NodeId, record);
        }
        var members = new List<MemberInfo>(view.Members?.Count ?? 0);
        foreach (var m in view.Members ?? [])
        {
            if (m is null) continue;
            var detail = m.Status == MemberStatus.Down ? byId.GetValueOrDefault(m.NodeId) : null;
            members.Add(new MemberInfo(m.Alias ?? "", m.NodeId, m.Host ?? "", m.Port, m.Status, m.LastSeenMs,
                detail is null ? null : Math.Max(0, detail.DownSinceMs), detail is null || !Enum.IsDefined(detail.Reason) ? null : detail.Reason));
        }
        return members;
    }
}
