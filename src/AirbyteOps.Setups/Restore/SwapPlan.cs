namespace AirbyteOps.Setups.Restore;

/// <summary>
/// What a swap moves, written into the volume before the first rename so that a later run can undo a swap cut short:
/// the top-level names of the live tree (moved to old/) and of the new tree (moved in from staging/).
/// </summary>
public sealed record SwapPlan(string Setup, DateTimeOffset StartedAt, IReadOnlyList<string> OldNames, IReadOnlyList<string> NewNames)
{
    /// <summary>The renames of the swap, per name: the old entry out, then the new one in (the live name is missing only between the two).</summary>
    public IReadOnlyList<(string From, string To)> ForwardMoves()
    {
        var moves = new List<(string, string)>();
        foreach (var name in OldNames.Union(NewNames, StringComparer.Ordinal))
        {
            if (OldNames.Contains(name)) moves.Add((name, $"{VolumeWorkArea.Old}/{name}"));
            if (NewNames.Contains(name)) moves.Add(($"{VolumeWorkArea.Staging}/{name}", name));
        }
        return moves;
    }

    /// <summary>
    /// The renames that undo a swap stopped at any point, given which paths exist now: new entries that made it in go back
    /// to staging/, then old entries still in old/ come back. Existence alone tells how far the swap got, because each
    /// rename either happened or did not.
    /// </summary>
    public IReadOnlyList<(string From, string To)> RollbackMoves(IReadOnlySet<string> existing)
    {
        var present = new HashSet<string>(existing, StringComparer.Ordinal);
        var moves = new List<(string, string)>();
        foreach (var name in NewNames)
        {
            var staged = $"{VolumeWorkArea.Staging}/{name}";
            if (!present.Contains(staged) && present.Contains(name))
            {
                moves.Add((name, staged));
                present.Remove(name);
                present.Add(staged);
            }
        }
        foreach (var name in OldNames)
        {
            var old = $"{VolumeWorkArea.Old}/{name}";
            if (present.Contains(old) && !present.Contains(name))
            {
                moves.Add((old, name));
                present.Remove(old);
                present.Add(name);
            }
        }
        return moves;
    }

    /// <summary>Every path whose existence <see cref="RollbackMoves"/> needs to know.</summary>
    public IEnumerable<string> PathsToCheck() =>
        OldNames.Union(NewNames, StringComparer.Ordinal).SelectMany(n => new[] { n, $"{VolumeWorkArea.Staging}/{n}", $"{VolumeWorkArea.Old}/{n}" });
}
