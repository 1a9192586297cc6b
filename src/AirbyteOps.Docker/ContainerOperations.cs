using Docker.DotNet;
using Docker.DotNet.Models;

namespace AirbyteOps.Docker;

/// <summary>Containers: find by name, create, start, stop, remove, state and health, logs, copy in and out.</summary>
public sealed class ContainerOperations
{
    private readonly DockerEngine _engine;
    internal ContainerOperations(DockerEngine engine) => _engine = engine;
    private IContainerOperations Api => _engine.Client.Containers;

    /// <summary>The container with exactly this name (not a prefix), or null.</summary>
    public async Task<ContainerInfo?> FindAsync(string name, CancellationToken ct = default)
    {
        try
        {
            var inspect = await Api.InspectContainerAsync(name, ct).ConfigureAwait(false);
            return inspect.Name.TrimStart('/') == name || inspect.ID.StartsWith(name, StringComparison.Ordinal) ? ToInfo(inspect) : null;
        }
        catch (DockerContainerNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is not DockerOpsException)
        {
            // Let the guard phrase it.
            return await _engine.GuardAsync<ContainerInfo?>($"container '{name}'", () => throw ex).ConfigureAwait(false);
        }
    }

    /// <summary>The container with this name or id; a missing one is a one-line error naming it.</summary>
    public async Task<ContainerInfo> InspectAsync(string name, CancellationToken ct = default) =>
        ToInfo(await _engine.GuardAsync($"container '{name}'", () => Api.InspectContainerAsync(name, ct)).ConfigureAwait(false));

    /// <summary>Containers whose labels match all of <paramref name="labels"/> (key or key=value); all states.</summary>
    public async Task<IReadOnlyList<ContainerInfo>> ListAsync(IEnumerable<string>? labels = null, bool all = true, CancellationToken ct = default)
    {
        var filters = new Dictionary<string, IDictionary<string, bool>>();
        if (labels is not null)
        {
            var set = labels.ToDictionary(l => l, _ => true);
            if (set.Count > 0) filters["label"] = set;
        }
        var list = await _engine.GuardAsync("listing containers", () =>
            Api.ListContainersAsync(new ContainersListParameters { All = all, Filters = filters }, ct)).ConfigureAwait(false);
        var result = new List<ContainerInfo>();
        foreach (var item in list)
        {
            var info = await FindAsync(item.ID, ct).ConfigureAwait(false);
            if (info is not null) result.Add(info);
        }
        return result;
    }

    /// <summary>
    /// Running containers that bind-mount exactly <paramref name="source"/> (a host path, as the engine stores it), with
    /// where each mounts it: one list call, no inspect per container.
    /// </summary>
    public async Task<IReadOnlyList<(string Container, string Destination)>> RunningWithBindAsync(string source, CancellationToken ct = default)
    {
        var list = await _engine.GuardAsync("listing containers", () =>
            Api.ListContainersAsync(new ContainersListParameters { All = false }, ct)).ConfigureAwait(false);
        var wanted = source.TrimEnd('/');
        return list.SelectMany(c => (c.Mounts ?? []).Where(m => m.Type == "bind" && (m.Source ?? "").TrimEnd('/') == wanted)
                .Select(m => (Container: (c.Names?.FirstOrDefault() ?? c.ID).TrimStart('/'), m.Destination)))
            .ToList();
    }

    public async Task<string> CreateAsync(ContainerSpec spec, CancellationToken ct = default)
    {
        var exposed = new Dictionary<string, EmptyStruct>();
        var bindings = new Dictionary<string, IList<PortBinding>>();
        foreach (var port in spec.Ports)
        {
            var key = $"{port.ContainerPort}/tcp";
            exposed[key] = default;
            if (!bindings.TryGetValue(key, out var list)) bindings[key] = list = new List<PortBinding>();
            list.Add(new PortBinding { HostIP = port.HostIp, HostPort = port.HostPort.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }
        var parameters = new CreateContainerParameters
        {
            Name = spec.Name,
            Image = spec.Image,
            Cmd = spec.Command?.ToList()!,
            Entrypoint = spec.Entrypoint?.ToList()!,
            Env = spec.Environment.Select(kv => $"{kv.Key}={kv.Value}").ToList(),
            Labels = new Dictionary<string, string>(spec.Labels),
            ExposedPorts = exposed,
            WorkingDir = spec.WorkingDirectory!,
            User = spec.User!,
            AttachStdout = true,
            AttachStderr = true,
            HostConfig = new HostConfig
            {
                PortBindings = bindings,
                NetworkMode = spec.NetworkMode!,
                Mounts = spec.Mounts.Select(m => new Mount
                {
                    Type = m.IsBind ? "bind" : "volume",
                    Source = m.Source,
                    Target = m.Target,
                    ReadOnly = m.ReadOnly,
                }).ToList(),
            },
        };
        var response = await _engine.GuardAsync($"creating container '{spec.Name}' from image '{spec.Image}'",
            () => Api.CreateContainerAsync(parameters, ct)).ConfigureAwait(false);
        return response.ID;
    }

    public Task StartAsync(string name, CancellationToken ct = default) =>
        _engine.GuardAsync($"starting container '{name}'", () => Api.StartContainerAsync(name, new ContainerStartParameters(), ct));

    public Task StopAsync(string name, TimeSpan? grace = null, CancellationToken ct = default) =>
        _engine.GuardAsync($"stopping container '{name}'", () => Api.StopContainerAsync(name,
            new ContainerStopParameters { WaitBeforeKillSeconds = (uint)(grace ?? TimeSpan.FromSeconds(10)).TotalSeconds }, ct));

    /// <summary>Freezes every process of the container (<c>docker pause</c>); its connections and files stay as they are.</summary>
    public Task PauseAsync(string name, CancellationToken ct = default) =>
        _engine.GuardAsync($"pausing container '{name}'", () => Api.PauseContainerAsync(name, ct));

    public Task UnpauseAsync(string name, CancellationToken ct = default) =>
        _engine.GuardAsync($"unpausing container '{name}'", () => Api.UnpauseContainerAsync(name, ct));

    public Task KillAsync(string name, CancellationToken ct = default) =>
        _engine.GuardAsync($"killing container '{name}'", () => Api.KillContainerAsync(name, new ContainerKillParameters(), ct));

    /// <summary>Removes the container; a container that is already gone is not an error.</summary>
    public async Task RemoveAsync(string name, bool force = true, bool removeAnonymousVolumes = false, CancellationToken ct = default)
    {
        try
        {
            await Api.RemoveContainerAsync(name, new ContainerRemoveParameters { Force = force, RemoveVolumes = removeAnonymousVolumes }, ct).ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException)
        {
        }
        catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.Conflict && (ex.ResponseBody ?? "").Contains("already in progress", StringComparison.Ordinal))
        {
        }
        catch (Exception ex) when (ex is not DockerOpsException)
        {
            await _engine.GuardAsync($"removing container '{name}'", () => throw ex).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for the container to exit and returns its exit code.</summary>
    public async Task<long> WaitAsync(string name, CancellationToken ct = default)
    {
        var response = await _engine.GuardAsync($"waiting for container '{name}'", () => Api.WaitContainerAsync(name, ct)).ConfigureAwait(false);
        return response.StatusCode;
    }

    /// <summary>
    /// Runs the container's own healthcheck command once, now (as <c>docker exec</c>): true when it exits 0, null when the
    /// container has no command healthcheck. Readiness is then seen the moment it happens, not at the engine's next interval.
    /// </summary>
    public async Task<bool?> ProbeHealthcheckAsync(string name, CancellationToken ct = default)
    {
        var inspect = await _engine.GuardAsync($"container '{name}'", () => Api.InspectContainerAsync(name, ct)).ConfigureAwait(false);
        var test = inspect.Config?.Healthcheck?.Test;
        if (test is null || test.Count < 2) return null;
        // The compose file's own test, as the engine would run it: CMD is an argument list, CMD-SHELL one string for sh -c.
        IList<string>? command = test[0] switch
        {
            "CMD" => test.Skip(1).ToList(),
            "CMD-SHELL" => ["/bin/sh", "-c", test[1]],
            _ => null,
        };
        if (command is null) return null;
        var result = await _engine.ExecAsync(name, command.ToList(), ct: ct).ConfigureAwait(false);
        return result.Succeeded;
    }

    /// <summary>The last <paramref name="tail"/> lines of the container's output (stdout and stderr).</summary>
    public async Task<IReadOnlyList<string>> LogsAsync(string name, int tail = 20, CancellationToken ct = default)
    {
        using var stream = await _engine.GuardAsync($"reading the logs of container '{name}'", () => Api.GetContainerLogsAsync(name,
            new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Tail = tail.ToString(System.Globalization.CultureInfo.InvariantCulture) }, ct)).ConfigureAwait(false);
        var (stdout, stderr) = await stream.ReadOutputToEndAsync(ct).ConfigureAwait(false);
        return (stdout + stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(tail).ToList();
    }

    /// <summary>Streams the container's output line by line until it exits (or <paramref name="ct"/> ends).</summary>
    public async Task FollowLogsAsync(string name, Action<string> onLine, CancellationToken ct = default)
    {
        using var stream = await _engine.GuardAsync($"following the logs of container '{name}'", () => Api.GetContainerLogsAsync(name,
            new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Follow = true }, ct)).ConfigureAwait(false);
        await PumpLinesAsync(stream, onLine, ct).ConfigureAwait(false);
    }

    /// <summary>Reads a multiplexed output stream to its end, one call per line (stdout and stderr as they come).</summary>
    private static async Task PumpLinesAsync(MultiplexedStream stream, Action<string> onLine, CancellationToken ct)
    {
        var buffer = new byte[81920];
        var lines = new LineSplitter(onLine);
        while (true)
        {
            var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, ct).ConfigureAwait(false);
            if (read.EOF) break;
            lines.Append(buffer.AsSpan(0, read.Count));
        }
        lines.Flush();
    }

    /// <summary>
    /// A tar stream of <paramref name="path"/> in the container (the archive endpoint, as <c>docker cp</c> uses);
    /// works on a created, never-started container and so reaches its volumes without running anything.
    /// </summary>
    public async Task<Stream> CopyOutAsync(string container, string path, CancellationToken ct = default)
    {
        var response = await _engine.GuardAsync($"copying '{path}' out of container '{container}'", () =>
            Api.GetArchiveFromContainerAsync(container, new ContainerPathStatParameters { Path = path }, false, ct)).ConfigureAwait(false);
        return response.Stream is { } stream ? new EngineStream(stream, _engine, $"Copying '{path}' out of container '{container}'") : throw new DockerOpsException($"Copying '{path}' out of container '{container}': the engine sent no archive.");
    }

    /// <summary>Size, mode and link target of a path in the container, or null when it does not exist.</summary>
    public async Task<ContainerPathStatResponse?> StatAsync(string container, string path, CancellationToken ct = default)
    {
        try
        {
            var response = await Api.GetArchiveFromContainerAsync(container, new ContainerPathStatParameters { Path = path }, true, ct).ConfigureAwait(false);
            response.Stream?.Dispose();
            return response.Stat!;
        }
        catch (DockerContainerNotFoundException ex) when ((ex.ResponseBody ?? "").Contains("path", StringComparison.OrdinalIgnoreCase) || (ex.ResponseBody ?? "").Contains("file", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound && !(ex.ResponseBody ?? "").Contains("No such container", StringComparison.Ordinal))
        {
            return null;
        }
        catch (Exception ex) when (ex is not DockerOpsException)
        {
            return await _engine.GuardAsync<ContainerPathStatResponse?>($"reading '{path}' in container '{container}'", () => throw ex).ConfigureAwait(false);
        }
    }

    /// <summary>Extracts a tar stream into directory <paramref name="directory"/> of the container, keeping modes, owners and links.</summary>
    public Task CopyInAsync(string container, string directory, Stream tar, CancellationToken ct = default) =>
        _engine.GuardAsync($"copying into '{directory}' of container '{container}'", () =>
            Api.ExtractArchiveToContainerAsync(container, new CopyToContainerParameters { Path = directory, AllowOverwriteDirWithFile = false, CopyUIDGID = true }, tar, ct));

    internal static ContainerInfo ToInfo(ContainerInspectResponse c)
    {
        var ports = new List<PublishedPort>();
        if (c.HostConfig?.PortBindings is { } bindings)
        {
            foreach (var (key, list) in bindings)
            {
                var parts = key.Split('/');
                var containerPort = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
                foreach (var b in list ?? [])
                {
                    if (int.TryParse(b.HostPort, out var hostPort))
                        ports.Add(new PublishedPort(string.IsNullOrEmpty(b.HostIP) ? "0.0.0.0" : b.HostIP, hostPort, containerPort, parts.Length > 1 ? parts[1] : "tcp"));
                }
            }
        }
        var mounts = (c.Mounts ?? []).Select(m => new ContainerMount(m.Type ?? "", string.IsNullOrEmpty(m.Name) ? null : m.Name, m.Source ?? "", m.Destination ?? "")).ToList();
        return new ContainerInfo(
            c.ID,
            c.Name.TrimStart('/'),
            c.Config?.Image ?? "",
            c.Image,
            c.State?.Status ?? "unknown",
            HealthOf(c.State?.Health?.Status, c.State is { Running: true, Paused: false }, c.State?.Health?.FailingStreak ?? 0),
            c.State is { Running: false } s ? (int)s.ExitCode : null,
            (IReadOnlyDictionary<string, string>?)c.Config?.Labels?.ToDictionary() ?? new Dictionary<string, string>(),
            ports,
            mounts)
        {
            StartedAt = string.IsNullOrEmpty(c.State?.StartedAt) ? null : c.State.StartedAt,
        };
    }

    /// <summary>
    /// The container's health as its checks judged it. The engine says "unhealthy" with a failing streak of 0 when it stopped
    /// the health monitor (a pause, a stop) and has run no check since (moby's CloseMonitorChannel: "unhealthy when the
    /// monitor has stopped for compatibility reasons"): no check failed. A running container in that state, after an unpause
    /// say, until the engine's next check (its interval later), is "starting": not judged yet. A real "unhealthy" needs at
    /// least one failed check in the streak (the engine's retries are 1 or more).
    /// </summary>
    private static string? HealthOf(string? status, bool runningUnpaused, long failingStreak) => status switch
    {
        null or "" => null,
        "unhealthy" when runningUnpaused && failingStreak == 0 => "starting",
        _ => status,
    };
}
