using Docker.DotNet.Models;

namespace AirbyteOps.Docker;

/// <summary>Runs a command (an argument list, never a shell string) in a running container and captures its output.</summary>
public static class ContainerExec
{
    public static async Task<ExecResult> ExecCaptureAsync(this DockerEngine engine, string container, IReadOnlyList<string> command, CancellationToken ct = default)
    {
        var what = $"running {command[0]} in container '{container}'";
        var exec = await engine.GuardAsync(what, () => engine.Client.Exec.CreateContainerExecAsync(container,
            new ContainerExecCreateParameters { Cmd = command.ToList(), AttachStdout = true, AttachStderr = true }, ct)).ConfigureAwait(false);
        string stdout, stderr;
        using (var stream = await engine.GuardAsync(what, () => engine.Client.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters(), ct)).ConfigureAwait(false))
            (stdout, stderr) = await stream.ReadOutputToEndAsync(ct).ConfigureAwait(false);
        var result = await engine.GuardAsync(what, () => engine.Client.Exec.InspectContainerExecAsync(exec.ID, ct)).ConfigureAwait(false);
        return new ExecResult(result.ExitCode ?? -1, stdout, stderr);
    }
}

public sealed record ExecResult(long ExitCode, string Stdout, string Stderr);
