using AirbyteOps.Processes;

namespace AirbyteOps.Tests;

/// <summary>The docker CLI, used by tests as the reference the helper is compared against (docker cp, docker inspect).</summary>
public static class DockerCli
{
    public static async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        var lines = new List<string>();
        var exit = await ProcessRunner.RunAsync("docker", args, lines.Add);
        return (exit, string.Join("\n", lines));
    }

    /// <summary>The real compose CLI on a test project, as a user would run it by hand.</summary>
    public static async Task<(int Exit, string Output)> ComposeAsync(AirbyteOps.Compose.ComposeOptions options, params string[] args)
    {
        var lines = new List<string>();
        var program = ProcessRunner.Which("docker-compose") ?? throw new InvalidOperationException("docker-compose is not installed");
        var exit = await ProcessRunner.RunAsync(program, ["-p", options.Project, "-f", options.ComposeFile, "--env-file", options.EnvFile!, .. args], lines.Add);
        return (exit, string.Join("\n", lines));
    }

    public static async Task<string> CheckAsync(params string[] args)
    {
        var (exit, output) = await RunAsync(args);
        Assert.True(exit == 0, $"docker {string.Join(' ', args)} failed ({exit}): {output}");
        return output;
    }
}
