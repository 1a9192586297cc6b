using AirbyteOps.Docker;

namespace AirbyteOps.Postgres;

/// <summary>
/// StartPostgres, the tutorial's first script done right: idempotent, published on 127.0.0.1 only, ready
/// only when a real query answers, conflicts named instead of trampled, the password never shown.
/// </summary>
public sealed class StartPostgresOperation(DockerEngine engine)
{
    public const string RoleLabel = "postgres-destination";

    /// <summary>
    /// The first look, which needs nothing but the engine: the container of that name, and when it is running and
    /// publishing our port, its query already sent (and the running containers listed for the closing table, since on that
    /// path nothing is changed). The query goes to that container only, never to whatever else holds the port.
    /// <see cref="RunAsync"/> makes it itself, or takes one made earlier (<see cref="PostgresOptions.Lookup"/>).
    /// </summary>
    public async Task<DestinationLookup> LookAsync(PostgresOptions options, CancellationToken ct = default)
    {
        // The query's connection is opened beside the inspect; its password is given only if the inspect says the port is
        // published by the running container of that name (PostgresProbe.QueryOnceConfirmedAsync).
        var ours = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = Task.Run(() => GatedProbeAsync(options, ours.Task, ct), ct);
        ContainerInfo? existing;
        try
        {
            existing = await engine.Containers.FindAsync(options.ContainerName, ct).ConfigureAwait(false);
        }
        catch
        {
            ours.SetResult(false);
            Observe(probe);
            throw;
        }
        var publishing = existing is { IsRunning: true } && existing.Ports.Any(p => p.ContainerPort == 5432 && p.HostPort == options.HostPort && p.HostIp == options.HostAddress);
        ours.SetResult(publishing);
        if (!publishing)
        {
            Observe(probe);
            return new DestinationLookup(existing, null, null);
        }
        return new DestinationLookup(existing, AnsweredAsync(probe, options, ct), engine.Containers.ListAsync(all: false, ct: ct));
    }

    /// <summary>The gated probe's answer; where it could not tell (never null here: the gate said yes), probed again.</summary>
    private static async Task<bool> AnsweredAsync(Task<bool?> probe, PostgresOptions options, CancellationToken ct) =>
        await probe.ConfigureAwait(false) ?? await ProbeAsync(options, ct).ConfigureAwait(false);

    public async Task<StartPostgresResult> RunAsync(PostgresOptions options, Action<string> log, CancellationToken ct = default)
    {
        // The image check (options.EnsureImage: the recipe check, which may build) and the look at the container (with,
        // when it is already running and publishing our port, the query that proves it answers) run at the same time: on
        // the no-op path neither waits for the other.
        var ensure = options.EnsureImage?.Invoke(ct) ?? Task.CompletedTask;
        DestinationLookup lookup;
        try
        {
            // A look made earlier is taken when it got an answer; one that failed (say, the engine was not up yet) is made again.
            lookup = await TakeAsync(options.Lookup).ConfigureAwait(false) ?? await LookAsync(options, ct).ConfigureAwait(false);
        }
        catch
        {
            Observe(ensure);
            throw;
        }
        var (existing, early, listed) = lookup;
        try
        {
            await ensure.ConfigureAwait(false);
        }
        catch
        {
            Observe(early);
            Observe(listed);
            throw;
        }
        var image = await engine.Images.FindAsync(options.Image, ct).ConfigureAwait(false);
        if (image is null)
        {
            Observe(early);
            Observe(listed);
            throw new DockerOpsException($"Image '{options.Image}' is not present: build the local images with ./build.sh Images (or pass --postgres-image).");
        }

        StartPostgresOutcome outcome;
        string id;
        if (existing is not null)
        {
            if (existing.ImageId != image.ID)
            {
                Observe(early);
                Observe(listed);
                throw new DockerOpsException($"A container named '{options.ContainerName}' already exists and runs image '{existing.Image}', not '{options.Image}'; it was left alone. Remove it (docker rm -f {options.ContainerName}) or choose another --postgres-container.");
            }
            id = existing.Id;
            var port = existing.Ports.FirstOrDefault(p => p.ContainerPort == 5432);
            if (port is null || port.HostPort != options.HostPort || port.HostIp != options.HostAddress)
                throw new DockerOpsException($"Container '{options.ContainerName}' publishes {(port?.ToString() ?? "no port")}, not {options.HostAddress}:{options.HostPort}->5432; it was left alone. Remove it (docker rm -f {options.ContainerName}) or pass --postgres-port {port?.HostPort}.");
            if (existing.IsRunning)
            {
                if (await (early ?? ProbeAsync(options, ct)).ConfigureAwait(false))
                {
                    log($"Postgres '{options.ContainerName}' is already up and answering; nothing changed.");
                    return await FinishAsync(options, id, StartPostgresOutcome.AlreadyRunning, log, ct, listed).ConfigureAwait(false);
                }
                Observe(listed);
                log($"Postgres '{options.ContainerName}' is running but not answering yet; waiting for it ...");
                outcome = StartPostgresOutcome.AlreadyRunning;
            }
            else
            {
                RequirePortFree(options, await engine.Containers.ListAsync(all: false, ct: ct).ConfigureAwait(false));
                log($"Postgres '{options.ContainerName}' exists but is {existing.State}; starting it.");
                await engine.Containers.StartAsync(id, ct).ConfigureAwait(false);
                outcome = StartPostgresOutcome.Started;
            }
        }
        else
        {
            RequirePortFree(options, await engine.Containers.ListAsync(all: false, ct: ct).ConfigureAwait(false));
            log($"Starting a Postgres container named {options.ContainerName} ({options.Image}) on {options.HostAddress}:{options.HostPort}.");
            id = await engine.Containers.CreateAsync(new ContainerSpec(options.ContainerName, options.Image)
            {
                Environment = new Dictionary<string, string>
                {
                    ["POSTGRES_PASSWORD"] = options.Password,
                    ["POSTGRES_USER"] = options.User,
                    ["POSTGRES_DB"] = options.Database,
                },
                Ports = [new PortMapping(options.HostPort, 5432, options.HostAddress)],
                Labels = new Dictionary<string, string> { [Labels.Managed] = "true", [Labels.Role] = RoleLabel },
            }, ct).ConfigureAwait(false);
            try
            {
                await engine.Containers.StartAsync(id, ct).ConfigureAwait(false);
            }
            catch (DockerOpsException)
            {
                // A container we just created and could not start would block the next run: remove it.
                await engine.Containers.RemoveAsync(id, force: true, ct: CancellationToken.None).ConfigureAwait(false);
                throw;
            }
            outcome = StartPostgresOutcome.Created;
        }

        await WaitReadyAsync(options, id, log, ct).ConfigureAwait(false);
        return await FinishAsync(options, id, outcome, log, ct).ConfigureAwait(false);
    }

    /// <summary>Waits until a real query answers; fails at once if the password is rejected or the container exits.</summary>
    private async Task<TimeSpan> WaitReadyAsync(PostgresOptions options, string id, Action<string> log, CancellationToken ct = default)
    {
        var took = await Readiness.WaitUntilAsync($"Postgres '{options.ContainerName}' to answer a query on {options.HostAddress}:{options.HostPort}", async c =>
        {
            if (await ProbeAsync(options, c).ConfigureAwait(false)) return true;
            var state = await engine.Containers.FindAsync(id, c).ConfigureAwait(false);
            if (state is null || !state.IsRunning)
            {
                var tail = state is null ? [] : await engine.Containers.LogsAsync(id, 3, c).ConfigureAwait(false);
                throw new DockerOpsException($"Postgres '{options.ContainerName}' stopped while starting (exit {state?.ExitCode}); last log lines: {string.Join(" | ", tail)}");
            }
            return false;
        }, options.Timeout, TimeSpan.FromMilliseconds(100), ct).ConfigureAwait(false);
        log($"Postgres answered a query after {took.TotalSeconds:0.0} s.");
        return took;
    }

    /// <summary>The result of an earlier look, or null when there is none or it failed (it is then made again).</summary>
    private static async Task<DestinationLookup?> TakeAsync(Task<DestinationLookup?>? earlier)
    {
        if (earlier is null) return null;
        try
        {
            return await earlier.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DockerOpsException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>A task whose result is no longer wanted: its failure, if any, is observed and dropped.</summary>
    private static void Observe(Task? task) => _ = task?.Observe();

    private static async Task<bool?> GatedProbeAsync(PostgresOptions options, Task<bool> ours, CancellationToken ct)
    {
        try
        {
            return await PostgresProbe.QueryOnceConfirmedAsync(options.ConnectionStringWithoutPassword, options.Password, ours, ct).ConfigureAwait(false);
        }
        catch (PasswordRejectedException)
        {
            throw Rejected(options);
        }
    }

    private static async Task<bool> ProbeAsync(PostgresOptions options, CancellationToken ct)
    {
        try
        {
            return await PostgresProbe.QueryAsync(options.ConnectionString, ct).ConfigureAwait(false);
        }
        catch (PasswordRejectedException)
        {
            throw Rejected(options);
        }
    }

    private static DestinationException Rejected(PostgresOptions options) =>
        new($"Postgres '{options.ContainerName}' rejected the password for user '{options.User}': set POSTGRES_PASSWORD to the password the container was created with, or remove the container (docker rm -f {options.ContainerName}) to start over (its data goes with it).");

    private static void RequirePortFree(PostgresOptions options, IReadOnlyList<ContainerInfo> running)
    {
        var holder = running.FirstOrDefault(c => c.Name != options.ContainerName && c.Ports.Any(p => p.HostPort == options.HostPort && (p.HostIp == options.HostAddress || p.HostIp is "0.0.0.0" or "::")));
        if (holder is not null)
            throw new DockerOpsException($"Port {options.HostPort} is already published by container '{holder.Name}' ({holder.Image}); it was left alone. Stop it or pass --postgres-port with a free port.");
        if (!PortCheck.IsFree(options.HostAddress, options.HostPort))
            throw new DestinationException($"Port {options.HostAddress}:{options.HostPort} is held by another program (not a container); stop it or pass --postgres-port with a free port.");
    }

    /// <param name="listed">The running containers, listed while the query ran (the no-op path, which changes nothing); else listed now.</param>
    private async Task<StartPostgresResult> FinishAsync(PostgresOptions options, string id, StartPostgresOutcome outcome, Action<string> log, CancellationToken ct,
        Task<IReadOnlyList<ContainerInfo>>? listed = null)
    {
        log($"Connect with: {options.Describe}.");
        var running = await (listed ?? engine.Containers.ListAsync(all: false, ct: ct)).ConfigureAwait(false);
        log("Docker containers currently running:");
        log($"  {"CONTAINER ID",-13} {"IMAGE",-34} {"STATUS",-10} {"PORTS",-30} NAMES");
        foreach (var c in running)
            log($"  {c.ShortId,-13} {c.Image,-34} {c.State + (c.Health is null ? "" : $" ({c.Health})"),-10} {string.Join(", ", c.Ports),-30} {c.Name}");
        return new StartPostgresResult(id, outcome);
    }
}

/// <summary>
/// The first look at the destination (<see cref="StartPostgresOperation.LookAsync"/>): the container of that name, and when it
/// runs publishing our port, its query (true when <c>select 1</c> answered) and the running containers, both under way.
/// </summary>
public sealed record DestinationLookup(ContainerInfo? Existing, Task<bool>? Answers, Task<IReadOnlyList<ContainerInfo>>? Running);

public enum StartPostgresOutcome { Created, Started, AlreadyRunning }

public sealed record StartPostgresResult(string ContainerId, StartPostgresOutcome Outcome);
