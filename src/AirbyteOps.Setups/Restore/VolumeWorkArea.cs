using System.Formats.Tar;
using System.Text.Json;
using AirbyteOps.Docker;
using AirbyteOps.Docker.Host;

namespace AirbyteOps.Setups.Restore;

/// <summary>
/// The restore's work area inside the data volume (<c>.airbyteops-restore/</c> at the volume root, next to config/),
/// so that the swap is a rename within one filesystem. Its state is told by what exists, never by a file being rewritten:
/// <list type="bullet">
/// <item>work area without <c>swap-begun</c>: staging only; the live tree was not touched → recovery deletes the work area.</item>
/// <item><c>swap-begun</c> (written after <c>plan.json</c>, in the same copy) without <c>committed</c>: renames may be half
/// done → recovery undoes them from <c>plan.json</c> and what exists, then deletes the work area.</item>
/// <item><c>committed</c>: the new tree was verified live → recovery only deletes the work area (old tree included).</item>
/// </list>
/// rename(2) cannot put a directory over a non-empty one, so each top-level name takes two renames (old out to old/,
/// new in from staging/) done back to back by one helper container; the live name is missing only between the two.
/// </summary>
internal sealed class VolumeWorkArea
{
    public const string Directory = LiveTree.WorkDirectory;
    public const string Staging = Directory + "/staging";
    public const string Old = Directory + "/old";
    public const string PlanFile = "plan.json";
    public const string SwapBegunMarker = "swap-begun";
    public const string CommittedMarker = "committed";

    // A fixed script; the paths arrive as arguments ("$1" "$2" ...), never pasted into it.
    // It refuses to rename onto an existing path, so a surprise (a server recreating config/) stops the swap instead of nesting trees.
    private const string MoveScript =
        "while [ \"$#\" -gt 1 ]; do " +
        "if [ -e \"$2\" ] || [ -L \"$2\" ]; then echo \"refusing to replace existing $2\" >&2; exit 3; fi; " +
        "mv -T \"$1\" \"$2\" || exit 4; shift 2; done";

    private readonly DockerEngine _engine;
    private readonly MountedVolume _volume;
    private readonly string _helperImage;
    private readonly TimeSpan _stepTimeout;
    private readonly HostVolume? _host;

    /// <param name="host">The volume on this host (the direct path: files, renames and removals done here, no helper
    /// container, no tar), or null: everything through the engine.</param>
    public VolumeWorkArea(DockerEngine engine, MountedVolume volume, string helperImage, TimeSpan stepTimeout, HostVolume? host = null)
    {
        _engine = engine;
        _volume = volume;
        _helperImage = helperImage;
        _stepTimeout = stepTimeout;
        _host = host;
    }

    /// <summary>True when something is at <paramref name="relative"/> (from the volume's root), a broken link included.</summary>
    private async Task<bool> ExistsAsync(string relative, CancellationToken ct) =>
        _host is not null ? UnixFiles.Exists(_host.PathOf(relative)) : await _volume.StatAsync(relative, ct).ConfigureAwait(false) is not null;

    /// <summary>A small file of the work area written on this host: complete before the next step looks for it.</summary>
    private static void WriteHostFile(string path, byte[] content)
    {
        using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        {
            file.Write(content);
            file.Flush(flushToDisk: true);
        }
        UnixModes.Set(path, (UnixFileMode)0x180);
    }

    private static void CreateHostDirectory(string path)
    {
        System.IO.Directory.CreateDirectory(path);
        UnixModes.Set(path, (UnixFileMode)0x1C0);
    }

    /// <summary>Brings the volume back to a consistent state after an interrupted restore. Returns what it did, or null.</summary>
    public async Task<string?> RecoverAsync(CancellationToken ct = default)
    {
        if (!await ExistsAsync(Directory, ct).ConfigureAwait(false)) return null;
        if (await ExistsAsync($"{Directory}/{CommittedMarker}", ct).ConfigureAwait(false))
        {
            await RemoveAsync(ct).ConfigureAwait(false);
            return "Removed the work area of a restore that had completed.";
        }
        if (!await ExistsAsync($"{Directory}/{SwapBegunMarker}", ct).ConfigureAwait(false))
        {
            await RemoveAsync(ct).ConfigureAwait(false);
            return "An earlier restore was interrupted before it touched the live configuration; removed its staging area.";
        }
        var plan = await ReadPlanAsync(ct).ConfigureAwait(false);
        var moves = await RollbackAsync(plan, ct).ConfigureAwait(false);
        await RemoveAsync(ct).ConfigureAwait(false);
        return $"An earlier restore of '{plan.Setup}' (started {plan.StartedAt:u}) was interrupted during the swap; put the previous configuration back ({moves} rename(s)).";
    }

    /// <summary>Creates the work area with the new tree in staging/: in one streamed copy, or written here on the direct path.</summary>
    public async Task WriteStagingTreeAsync(Func<ITreeSink, Task> writeTree, CancellationToken ct = default)
    {
        if (_host is not null)
        {
            CreateHostDirectory(_host.PathOf(Directory));
            CreateHostDirectory(_host.PathOf(Staging));
            await writeTree(new HostTreeSink(_host.PathOf(Staging))).ConfigureAwait(false);
            return;
        }
        await StreamTarAsync(async writer =>
        {
            await writer.WriteEntryAsync(Dir(Directory + "/"), ct).ConfigureAwait(false);
            await writer.WriteEntryAsync(Dir(Staging + "/"), ct).ConfigureAwait(false);
            await writeTree(new TarTreeSink(writer, Staging)).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
    }

    /// <summary>Creates the work area with <paramref name="writeTree"/>'s tar entries in staging/, in one streamed copy (through the engine).</summary>
    public Task WriteStagingAsync(Func<TarWriter, Task> writeTree, CancellationToken ct = default) =>
        StreamTarAsync(async writer =>
        {
            await writer.WriteEntryAsync(Dir(Directory + "/"), ct).ConfigureAwait(false);
            await writer.WriteEntryAsync(Dir(Staging + "/"), ct).ConfigureAwait(false);
            await writeTree(writer).ConfigureAwait(false);
        }, ct);

    /// <summary>Makes the swap undoable: old/, plan.json, then the swap-begun marker, in that order (one copy through the engine).</summary>
    public async Task BeginSwapAsync(SwapPlan plan, CancellationToken ct = default)
    {
        var planBytes = JsonSerializer.SerializeToUtf8Bytes(plan, SetupJson.Options);
        if (_host is not null)
        {
            CreateHostDirectory(_host.PathOf(Old));
            WriteHostFile(_host.PathOf($"{Directory}/{PlanFile}"), planBytes);
            WriteHostFile(_host.PathOf($"{Directory}/{SwapBegunMarker}"), []);
            return;
        }
        await StreamTarAsync(async writer =>
        {
            await writer.WriteEntryAsync(Dir(Old + "/"), ct).ConfigureAwait(false);
            await writer.WriteEntryAsync(File($"{Directory}/{PlanFile}", planBytes), ct).ConfigureAwait(false);
            await writer.WriteEntryAsync(File($"{Directory}/{SwapBegunMarker}", []), ct).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
    }

    public Task SwapAsync(SwapPlan plan, CancellationToken ct = default) => MoveAsync(plan.ForwardMoves(), "swapping the new configuration in", ct);

    /// <summary>Undoes a swap however far it got; returns the number of renames it made.</summary>
    public async Task<int> RollbackAsync(SwapPlan plan, CancellationToken ct = default)
    {
        var existing = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in plan.PathsToCheck())
            if (await ExistsAsync(path, ct).ConfigureAwait(false)) existing.Add(path);
        var moves = plan.RollbackMoves(existing);
        await MoveAsync(moves, "putting the previous configuration back", ct).ConfigureAwait(false);
        return moves.Count;
    }

    /// <summary>Marks the restore done (the old tree is then discarded), then removes the work area.</summary>
    public async Task CommitAsync(CancellationToken ct = default)
    {
        if (_host is not null) WriteHostFile(_host.PathOf($"{Directory}/{CommittedMarker}"), []);
        else await StreamTarAsync(writer => writer.WriteEntryAsync(File($"{Directory}/{CommittedMarker}", []), ct), ct).ConfigureAwait(false);
        await RemoveAsync(ct).ConfigureAwait(false);
    }

    public Task RemoveAsync(CancellationToken ct = default)
    {
        if (_host is null) return RunAsync(["rm", "-rf", MountedVolume.PathOf(Directory)], "removing the restore work area", ct);
        var work = _host.PathOf(Directory);
        if (UnixFiles.Exists(work)) System.IO.Directory.Delete(work, recursive: true); // links inside are removed, never followed
        return Task.CompletedTask;
    }

    private async Task<SwapPlan> ReadPlanAsync(CancellationToken ct)
    {
        byte[]? content;
        if (_host is not null)
        {
            var path = _host.PathOf($"{Directory}/{PlanFile}");
            content = UnixFiles.Exists(path) ? await System.IO.File.ReadAllBytesAsync(path, ct).ConfigureAwait(false) : null;
        }
        else
        {
            await using var tar = await _volume.CopyOutAsync($"{Directory}/{PlanFile}", ct).ConfigureAwait(false);
            content = await TarTree.ReadFileAsync(tar, $"volume '{_volume.Volume}'", ct).ConfigureAwait(false);
        }
        if (content is null) throw new SetupException($"The restore plan in volume '{_volume.Volume}' is unreadable; the previous configuration is in {Old}/ of that volume.");
        return JsonSerializer.Deserialize<SwapPlan>(content, SetupJson.Options)
            ?? throw new SetupException($"The restore plan in volume '{_volume.Volume}' is empty; the previous configuration is in {Old}/ of that volume.");
    }

    private async Task MoveAsync(IReadOnlyList<(string From, string To)> moves, string what, CancellationToken ct)
    {
        if (moves.Count == 0) return;
        if (_host is not null)
        {
            // The same renames as the helper container's script, here: never onto an existing path.
            foreach (var (from, to) in moves)
            {
                if (UnixFiles.Exists(_host.PathOf(to)))
                    throw new DockerOpsException($"{char.ToUpperInvariant(what[0])}{what[1..]} in volume '{_volume.Volume}' failed (refusing to replace existing /{to}).");
                try { UnixFiles.Rename(_host.PathOf(from), _host.PathOf(to)); }
                catch (IOException ex) { throw new DockerOpsException($"{char.ToUpperInvariant(what[0])}{what[1..]} in volume '{_volume.Volume}' failed ({ex.Message}).", ex); }
            }
            return;
        }
        var command = new List<string> { "sh", "-c", MoveScript, "moves" };
        foreach (var (from, to) in moves)
        {
            command.Add(MountedVolume.PathOf(from));
            command.Add(MountedVolume.PathOf(to));
        }
        await RunAsync(command, what, ct).ConfigureAwait(false);
    }

    private async Task RunAsync(IReadOnlyList<string> command, string what, CancellationToken ct)
    {
        var output = new List<string>();
        var spec = new ContainerSpec($"airbyteops-restore-{Guid.NewGuid():N}"[..40], _helperImage)
        {
            Command = command,
            Mounts = [new VolumeMount(_volume.Volume, MountedVolume.MountPath)],
            NetworkMode = "none",
            Labels = new Dictionary<string, string> { [Labels.Role] = "setup-restore" },
        };
        var exit = await _engine.RunAsync(spec, output.Add, _stepTimeout, ct).ConfigureAwait(false);
        if (exit != 0)
            throw new DockerOpsException($"{char.ToUpperInvariant(what[0])}{what[1..]} in volume '{_volume.Volume}' failed (exit {exit}: {output.LastOrDefault() ?? "no output"}).");
    }

    private async Task StreamTarAsync(Func<TarWriter, Task> write, CancellationToken ct)
    {
        // The tar is produced while the engine reads it: nothing is staged on this machine and memory stays flat (at most
        // the pipe's 8 MiB plus the 1 MiB write buffer). The buffer turns TarWriter's many small writes (a 512-byte header,
        // padding) into few large flushes, so the engine's reader is not woken for every header.
        var pipe = new System.IO.Pipelines.Pipe(new System.IO.Pipelines.PipeOptions(pauseWriterThreshold: 8 << 20, resumeWriterThreshold: 4 << 20, minimumSegmentSize: 64 << 10));
        var producer = Task.Run(async () =>
        {
            try
            {
                await using (var stream = new BufferedStream(pipe.Writer.AsStream(leaveOpen: true), 1 << 20))
                await using (var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
                {
                    await write(writer).ConfigureAwait(false);
                }
                await pipe.Writer.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                await pipe.Writer.CompleteAsync(ex).ConfigureAwait(false);
                throw;
            }
        }, ct);
        try
        {
            await using var body = pipe.Reader.AsStream();
            await _volume.CopyInAsync("", body, ct).ConfigureAwait(false);
        }
        catch (Exception copyError)
        {
            // Stop the producer. When it failed first (a setup file changed since it was checked, say) its error is the
            // cause and the copy's is only the consequence; otherwise report the copy's error (it names the volume).
            await pipe.Reader.CompleteAsync().ConfigureAwait(false);
            try { await producer.ConfigureAwait(false); }
            catch (Exception producerError) when (producerError is AirbyteOpsException or IOException or EndOfStreamException && copyError is not OperationCanceledException)
            {
                throw producerError is AirbyteOpsException ? producerError : new SetupException($"Reading the setup while copying it into volume '{_volume.Volume}' failed ({producerError.Message})", producerError);
            }
            catch (Exception) { }
            throw;
        }
        await producer.ConfigureAwait(false);
    }

    internal static PaxTarEntry Dir(string name) => new(TarEntryType.Directory, name) { Mode = (UnixFileMode)0x1C0 };

    internal static PaxTarEntry File(string name, byte[] content) =>
        new(TarEntryType.RegularFile, name) { Mode = (UnixFileMode)0x180, DataStream = new MemoryStream(content) };
}
