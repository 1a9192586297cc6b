using AirbyteOps.Api;
using AirbyteOps.Docker;

namespace AirbyteOps.Compose;

/// <summary>What a compose project has running, service by service, as the two compose operations and the tests read it.</summary>
public static class ComposeProject
{
    internal const string ProjectLabel = "com.docker.compose.project";
    internal const string ServiceLabel = "com.docker.compose.service";

    public static async Task<IReadOnlyList<ServiceStatus>> StatusAsync(DockerEngine engine, ComposeFile file, CancellationToken ct = default)
    {
        var containers = await engine.Containers.ListAsync([$"{ProjectLabel}={file.Project}"], all: true, ct).ConfigureAwait(false);
        return file.Services.Select(s => new ServiceStatus(s.Name,
            containers.FirstOrDefault(c => c.Labels.TryGetValue(ServiceLabel, out var svc) && svc == s.Name))).ToList();
    }

    internal static void Print(IReadOnlyList<ServiceStatus> services, Action<string> log)
    {
        foreach (var s in services)
        {
            var c = s.Container;
            var state = c is null ? "missing" : c.IsRunning ? "up" + (c.Health is null ? "" : $" ({c.Health})") : $"exited ({c.ExitCode})";
            log($"  {s.Service,-20} {c?.Name ?? "-",-22} {state,-16} {(c is null ? "" : string.Join(", ", c.Ports))}");
        }
    }
}

public sealed record ServiceStatus(string Service, ContainerInfo? Container);
