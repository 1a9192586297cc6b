using AirbyteOps.Compose;
using AirbyteOps.Docker;
using AirbyteOps.Images;
using AirbyteOps.Locks;
using AirbyteOps.Postgres;
using Docker.DotNet.Models;

namespace AirbyteOps.Build;

/// <summary>
/// What a run starts in Setup, on another thread, while Cake starts its task engine on this one (the task graph, the
/// first task's header: about 0.1 s of one core here): the engine's version request that EnsureDocker would send first,
/// for StartPostgres alone the look at the destination container with, when it runs publishing our port, its query, and
/// (local images) the check that its image is current; and
/// for ComposeUp or RestoreSetup alone on a stand-in stack, the check that its local images are current (a check only:
/// anything to build is built by the target, with its progress); for WipeVolumes alone, its look at what the wipe removes
/// (the compose file read, the project's containers, volumes and networks listed), and for ComposeUp alone its look at the
/// project's services. Each is what the target would do first anyway, with the
/// same guards; the target takes the result instead of asking again, or asks again when the early attempt failed.
/// </summary>
public sealed partial class BuildContext
{
    private Task<VersionResponse?>? _engineAnswer;
    private Task<DestinationLookup?>? _destination;
    private Task<string?>? _earlyImages;
    private Task<WipePlan?>? _wipePlan;
    private Task<ComposeLook?>? _composeLook;
    private DeploymentLock? _earlyLock;

    private void StartEarly(IReadOnlyList<string> targets)
    {
        if (targets.All(t => Is(t, TargetNames.Help) || Is(t, TargetNames.VerifySetup))) return;
        var ct = Cancellation;
        // Loading Docker.DotNet and the first round trip over the socket; an engine that does not answer gives null, and
        // EnsureDocker then starts it as before.
        var answer = _engineAnswer = Task.Run(() => Engine.TryVersionAsync(ct: ct), ct);
        if (targets.Count == 1 && Is(targets[0], TargetNames.StartPostgres) && Parameters.Images == ImageSource.Local)
            _earlyImages = CheckImagesEarlyAsync([Image(ImageRole.Postgres)], ct);
        if (targets.Count == 1 && Is(targets[0], TargetNames.StartPostgres))
            _destination = BesideAnswerAsync(answer, () => new StartPostgresOperation(Engine).LookAsync(DestinationOptions, ct), ct);
        if (targets.Count == 1 && (Is(targets[0], TargetNames.ComposeUp) || Is(targets[0], TargetNames.RestoreSetup)) && ComposeImages is { } images)
            _earlyImages = CheckImagesEarlyAsync(images, ct);
        // A look at what the target changes is taken under the deployment's lock, as the target's own look would be: only
        // when the lock is free now (it is then held from here to the target's end); a held one is waited for by the
        // target, which then looks itself.
        if (targets.Count == 1 && Is(targets[0], TargetNames.ComposeUp) && TryLockEarly(targets[0]))
            _composeLook = BesideAnswerAsync(answer, () => new ComposeUpOperation(Engine).LookAsync(ComposeOptions, ct), ct);
        if (targets.Count == 1 && Is(targets[0], TargetNames.WipeVolumes) && TryLockEarly(targets[0]))
            _wipePlan = BesideAnswerAsync(answer, () => new WipeVolumesOperation(Engine).LookAsync(ComposeOptions, ct), ct);
    }

    /// <summary>The deployment's lock taken now, exclusive, if no one holds it (never waited for here).</summary>
    private bool TryLockEarly(string target)
    {
        try
        {
            _earlyLock = DeploymentLock.AcquireAsync(LockPath, LockName, target, TimeSpan.Zero, Log, Cancellation).GetAwaiter().GetResult();
            return true;
        }
        catch (Exception ex) when (ex is AirbyteOpsException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The lock taken in Setup, once, when the target runs in the mode it was taken in.</summary>
    private DeploymentLock? TakeEarlyLock(LockMode mode) =>
        _earlyLock?.Mode == mode ? Interlocked.Exchange(ref _earlyLock, null) : null;

    /// <summary>
    /// <paramref name="look"/> sent beside the version request, not after it; null when the engine did not answer or the look
    /// failed (a compose file that does not load, say): the target then looks again, and tells why.
    /// </summary>
    private static async Task<T?> BesideAnswerAsync<T>(Task<VersionResponse?> answer, Func<Task<T>> look, CancellationToken ct) where T : class
    {
        var looking = Task.Run(look, ct);
        try
        {
            if (await answer.ConfigureAwait(false) is null)
            {
                _ = looking.Observe();
                return null;
            }
            return await looking.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _ = looking.Observe();
            return null;
        }
    }

    /// <summary>
    /// The images' check beside the version request (an engine that does not answer fails it too): the line to print when
    /// all are current, else null, and the target checks (and builds) as usual.
    /// </summary>
    private Task<string?> CheckImagesEarlyAsync(IReadOnlyList<string> images, CancellationToken ct) => Task.Run(async () =>
    {
        try
        {
            return await new ImagesOperation(Engine).CheckCurrentAsync(ImagesOptionsFor(images), ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return null;
        }
    }, ct);

    /// <summary>
    /// What Setup started early, handed over once: the first taker gets it, a second gets null and asks again (a second
    /// EnsureDocker in the same run, say).
    /// </summary>
    private static T? Take<T>(ref T? early) where T : class => Interlocked.Exchange(ref early, null);

    private static bool Is(string target, string name) => string.Equals(target, name, StringComparison.OrdinalIgnoreCase);
}
