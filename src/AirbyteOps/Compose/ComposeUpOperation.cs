using AirbyteOps.Api;
using AirbyteOps.Docker;
using AirbyteOps.Setups.Database;

namespace AirbyteOps.Compose;

/// <summary>
/// ComposeUp over the real compose CLI, with the waiting the tutorial leaves to the user: every long-running
/// service up (passing its healthcheck where it has one), every one-shot service exited 0, the server's health ready, and
/// the database (options.DatabaseContainer, when its service has no healthcheck: no Airbyte release gives it one) answering
/// from its real server, as a healthcheck run here;
/// a service that fails is named with its last log lines. The server's health is polled every 100 ms and the services every
/// 400 ms; a healthcheck the engine has not run yet (Docker says "starting") is run here (docker exec of the same test), so
/// Docker's healthcheck interval does not set the pace: while the server is not ready, at most once a second per container,
/// and once the server says ready, every one not passed yet,
/// side by side. A check that passed here counts for that run of its container, as Docker counts one pass as healthy.
/// </summary>
public sealed class ComposeUpOperation(DockerEngine engine)
{
    /// <summary>
    /// The compose file read and its services' containers as the engine has them now (read only). A run may take it from
    /// before (a build run reads it beside its first engine request) instead of reading it again.
    /// </summary>
    public async Task<ComposeLook> LookAsync(ComposeOptions options, CancellationToken ct = default)
    {
        var file = ComposeFile.Load(options.ComposeFile, options.Project, options.EnvFile);
        return new ComposeLook(file, await ComposeProject.StatusAsync(engine, file, ct).ConfigureAwait(false));
    }

    /// <param name="look">What <see cref="LookAsync"/> found for these options a moment ago; null: looked at now.</param>
    public async Task<ComposeUpResult> RunAsync(ComposeOptions options, Action<string> log, CancellationToken ct = default, ComposeLook? look = null)
    {
        // The compose file first (one that does not load stops the run before any image is built); then the image check
        // (options.EnsureImages: the local recipes, which may build) runs while the project's state is read; both are done
        // before anything is decided or started.
        var file = look?.File ?? ComposeFile.Load(options.ComposeFile, options.Project, options.EnvFile);
        var ensure = options.EnsureImages?.Invoke(ct) ?? Task.CompletedTask;
        IReadOnlyList<ServiceStatus> before;
        bool alreadyUp;
        var api = new AirbyteApi(options.ServerUrl, TimeSpan.FromSeconds(3), basicAuth: file.BasicAuth);
        try
        {
            before = look?.Services ?? await ComposeProject.StatusAsync(engine, file, ct).ConfigureAwait(false);
            alreadyUp = before.Any(s => s.Container?.IsRunning == true)
                && await ServicesUpAsync(before, options.DatabaseContainer, ct).ConfigureAwait(false)
                && await api.IsHealthyAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            api.Dispose();
            _ = ensure.Observe();
            throw;
        }
        using var owned = api;
        await ensure.ConfigureAwait(false);
        if (alreadyUp)
        {
            log($"Compose project '{file.Project}' is already up and the server is healthy; nothing changed.");
            ComposeProject.Print(before, log);
            return new ComposeUpResult(AlreadyUp: true, TimeSpan.Zero);
        }

        var cli = await ComposeCli.FindAsync(ct).ConfigureAwait(false);
        log($"Bringing up '{file.Project}' from {file.Path} with {cli.Describe} ...");
        var output = new List<string>();
        var exit = await cli.RunAsync(file, options.EnvFile, ["up", "-d"], line => { output.Add(line); log("  " + line); }, ct).ConfigureAwait(false);
        if (exit != 0)
            throw new ComposeException($"{cli.Describe} up failed (exit {exit}): {ComposeCli.FailureLine(output)}");

        log($"Waiting for every long-running service to be up and {api.BaseUrl}health to say ready (timeout {options.Timeout.TotalSeconds:0} s) ...");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        IReadOnlyList<ServiceStatus> now = before;
        var tick = 0;
        await using var checks = new Healthchecks(this, options.DatabaseContainer, ct);
        TimeSpan? healthSaidReady = null;
        await Readiness.WaitUntilAsync($"compose project '{file.Project}' to be ready", async c =>
        {
            // The server's health endpoint, every 100 ms, is the cheap question and the one that answers last: asked first.
            // The services (a crash named at once, healthchecks run here instead of at Docker's interval) are read every
            // 4th tick while it is not ready, and on every tick once it is; a starting healthcheck is run at most once a second
            // per container before the server is ready, so few docker execs compete with the starting services for the CPU.
            var healthy = await api.IsHealthyAsync(c).ConfigureAwait(false);
            if (healthy) healthSaidReady ??= clock.Elapsed;
            if (!healthy && tick++ % 4 != 0) return false;
            now = await ComposeProject.StatusAsync(engine, file, c).ConfigureAwait(false);
            foreach (var s in now)
            {
                if (s.Container is { IsRunning: false, ExitCode: not 0 and not null } dead)
                {
                    var tail = await engine.Containers.LogsAsync(dead.Id, 5, c).ConfigureAwait(false);
                    throw new DockerOpsException($"Service '{s.Service}' ({dead.Name}) exited with code {dead.ExitCode}; its last log lines: {string.Join(" | ", tail)}");
                }
                if (s.Container?.Health == "unhealthy")
                {
                    var tail = await engine.Containers.LogsAsync(s.Container.Id, 5, c).ConfigureAwait(false);
                    throw new DockerOpsException($"Service '{s.Service}' ({s.Container.Name}) is unhealthy; its last log lines: {string.Join(" | ", tail)}");
                }
            }
            if (!healthy)
            {
                // Not ready yet: a starting healthcheck may be started now in the background (at most once a second per
                // container), so that once the server says ready only the checks that did not pass yet are left to run.
                checks.StartEarly(now, clock.Elapsed);
                return false;
            }
            if (await checks.AllUpAsync(now, c).ConfigureAwait(false)) return true;
            // Why the database is not ready, for the timeout's message (the wait goes on).
            throw checks.DatabaseNotReady is { } why ? new NotReadyException($"{options.DatabaseContainer}: {why}") : new NotReadyException("not every service is up and past its check yet");
        }, options.Timeout, TimeSpan.FromMilliseconds(100), ct).ConfigureAwait(false);
        var healthchecks = file.Services.Any(s => s.HasHealthcheck)
            ? $"and every healthcheck passed ({checks.RunHere} run here while Docker said starting)"
            : "and no service has a healthcheck";
        if (options.DatabaseContainer is { } db && now.Any(s => s.Container?.Name == db && s.Container.Health is null))
            healthchecks += $"; {db}'s real server answers";
        log($"'{file.Project}' is ready after {clock.Elapsed.TotalSeconds:0.0} s; the server's health said ready after {(healthSaidReady ?? clock.Elapsed).TotalSeconds:0.0} s, {healthchecks}.");
        ComposeProject.Print(now, log);
        return new ComposeUpResult(AlreadyUp: false, clock.Elapsed);
    }

    /// <summary>
    /// Every long-running service running and healthy, every one-shot exited 0, with no healthcheck run here (the already-up
    /// question asked before anything starts). A healthcheck still "starting" is run here at once rather than waited for.
    /// </summary>
    private async Task<bool> ServicesUpAsync(IReadOnlyList<ServiceStatus> services, string? database, CancellationToken ct)
    {
        await using var checks = new Healthchecks(this, database, ct);
        return await checks.AllUpAsync(services, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The healthchecks still "starting" at Docker's interval, run here: which passed, per container (its id: a recreated one
    /// is checked again; one seen not running since its pass, restarting say, is checked again too). The checks run before
    /// the server is ready run in the background: the health is still asked every 100 ms meanwhile.
    /// </summary>
    private sealed class Healthchecks(ComposeUpOperation owner, string? database, CancellationToken ct) : IAsyncDisposable
    {
        private static readonly TimeSpan EarlyEvery = TimeSpan.FromSeconds(1);
        private readonly CancellationTokenSource _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        private readonly HashSet<string> _passed = new(StringComparer.Ordinal);
        private readonly Dictionary<string, TimeSpan> _triedAt = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Task> _running = new(StringComparer.Ordinal);

        /// <summary>Why the database's last question found it not ready (null: it answered, or was not asked).</summary>
        public string? DatabaseNotReady { get; set; }

        /// <summary>The database's containers among <see cref="_passed"/>: their pass is its server's answer, not a healthcheck.</summary>
        private readonly HashSet<string> _databases = new(StringComparer.Ordinal);

        /// <summary>How many healthchecks were run here and passed (the database's question is not one).</summary>
        public int RunHere
        {
            get { lock (_passed) return _passed.Count(id => !_databases.Contains(id)); }
        }

        private bool Passed(ContainerInfo c)
        {
            lock (_passed) return _passed.Contains(c.Id);
        }

        /// <summary>A container seen not running loses its pass: once running again, its check is run again.</summary>
        private void Forget(IReadOnlyList<ServiceStatus> services)
        {
            lock (_passed)
                foreach (var c in services.Select(s => s.Container).OfType<ContainerInfo>().Where(c => !c.IsRunning)) _passed.Remove(c.Id);
        }

        /// <summary>The running containers whose check has not passed at Docker's interval yet: a healthcheck Docker says is
        /// "starting", and the database without a healthcheck of its own (its real server answering is its check).</summary>
        private IEnumerable<ContainerInfo> Starting(IReadOnlyList<ServiceStatus> services) =>
            services.Select(s => s.Container).OfType<ContainerInfo>().Where(c => c is { IsRunning: true, Health: "starting" } || IsBareDatabase(c));

        private bool IsBareDatabase(ContainerInfo c) => c is { IsRunning: true, Health: null } && database is not null && c.Name == database;

        /// <summary>
        /// While the server is not ready: each starting check not passed yet is started in the background, at most once a
        /// second per container and never twice at once; the caller does not wait for it.
        /// </summary>
        public void StartEarly(IReadOnlyList<ServiceStatus> services, TimeSpan now)
        {
            Forget(services);
            foreach (var c in Starting(services))
            {
                if (Passed(c) || (_running.TryGetValue(c.Id, out var running) && !running.IsCompleted)) continue;
                if (_triedAt.TryGetValue(c.Id, out var at) && now - at < EarlyEvery) continue;
                _triedAt[c.Id] = now;
                _running[c.Id] = RunAsync(c, _stop.Token);
            }
        }

        /// <summary>
        /// Every long-running service running and healthy (or "starting" with its check passed here), every one-shot exited 0.
        /// A check already running in the background is waited for; the starting checks not passed then are run now, side by
        /// side: each is a docker exec, and the slowest sets the pace.
        /// </summary>
        public async Task<bool> AllUpAsync(IReadOnlyList<ServiceStatus> services, CancellationToken token)
        {
            Forget(services);
            if (services.Any(s => s.Container switch
                {
                    null => true,
                    { IsRunning: false } exited => exited.ExitCode != 0,
                    { Health: "starting" } => false,
                    { } running => running.Health is not (null or "healthy"),
                }))
                return false;
            var starting = Starting(services).ToList();
            await Task.WhenAll(starting.Select(c => _running.TryGetValue(c.Id, out var running) ? running : Task.CompletedTask)).WaitAsync(token).ConfigureAwait(false);
            var left = starting.Where(c => !Passed(c)).ToList();
            await Task.WhenAll(left.Select(c => RunAsync(c, token))).ConfigureAwait(false);
            return starting.All(Passed);
        }

        /// <summary>Runs the check; a pass is remembered. Only a cancellation is thrown: a check that fails or cannot run is not passing.</summary>
        private async Task RunAsync(ContainerInfo container, CancellationToken token)
        {
            bool passed;
            var isDatabase = IsBareDatabase(container);
            try
            {
                passed = isDatabase
                    ? (DatabaseNotReady = await owner.DatabaseNotReadyBecauseAsync(container.Name, token).ConfigureAwait(false)) is null
                    : await owner.PassesHealthcheckAsync(container.Id, token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                passed = false;
            }
            if (passed)
                lock (_passed)
                {
                    _passed.Add(container.Id);
                    if (isDatabase) _databases.Add(container.Id);
                }
        }

        /// <summary>Stops the background checks still running and waits for them (their outcome no longer matters).</summary>
        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(_running.Values).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // A check stopped half-way: nothing to report.
            }
            _stop.Dispose();
        }
    }

    /// <summary>Null when the database's real server answers now (psql in its container); otherwise why not (one that cannot be asked yet does not).</summary>
    private async Task<string?> DatabaseNotReadyBecauseAsync(string container, CancellationToken ct)
    {
        try
        {
            return await DeploymentDatabase.NotReadyBecauseAsync(engine, container, ct).ConfigureAwait(false);
        }
        catch (DockerOpsException ex)
        {
            return ex.Message;
        }
    }

    private sealed class NotReadyException(string why) : Exception(why);

    /// <summary>The container's healthcheck run now; one that cannot run yet (the container restarting, say) is not passing.</summary>
    private async Task<bool> PassesHealthcheckAsync(string container, CancellationToken ct)
    {
        try
        {
            return await engine.Containers.ProbeHealthcheckAsync(container, ct).ConfigureAwait(false) != false;
        }
        catch (DockerOpsException)
        {
            return false;
        }
    }
}

/// <summary>What <see cref="ComposeUpOperation.LookAsync"/> found: the compose file and its services' containers.</summary>
public sealed record ComposeLook(ComposeFile File, IReadOnlyList<ServiceStatus> Services);

public sealed record ComposeUpResult(bool AlreadyUp, TimeSpan Took);
