using AirbyteOps.StandIns.DemoStack.Hosting;
using AirbyteOps.StandIns.DemoStack.Scheduler;
using AirbyteOps.StandIns.DemoStack.Worker;
using Microsoft.AspNetCore.Builder;

namespace AirbyteOps.DemoStack.Tests.Support;

/// <summary>
/// The server and the scheduler's job processor in this process, on scratch folders standing for the data volume
/// (/data), the workspace volume (/tmp/workspace) and the local folder (/local), with jobs in memory.
/// </summary>
public sealed class InProcessStack : IAsyncDisposable
{
    private readonly TempDirectory _root = new();
    private readonly CancellationTokenSource _stop = new();
    private WebApplication? _server;
    private Task? _scheduler;

    public string ConfigRoot => Path.Combine(_root.Path, "data");
    public string WorkspaceRoot => Path.Combine(_root.Path, "workspace");
    public string LocalRoot => Path.Combine(_root.Path, "local");
    public InMemoryJobStore Jobs { get; } = new();
    public ApiClient Api { get; private set; } = null!;
    /// <summary>http://127.0.0.1:&lt;port&gt; of the server.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>Starts the stack; with <paramref name="seeded"/> the config root first gets the seed image's files.</summary>
    public static async Task<InProcessStack> StartAsync(bool seeded = true)
    {
        var stack = new InProcessStack();
        Directory.CreateDirectory(stack.ConfigRoot);
        Directory.CreateDirectory(stack.WorkspaceRoot);
        Directory.CreateDirectory(stack.LocalRoot);
        if (seeded) TempDirectory.CopyTree(DemoStackPaths.SeedConfig, Path.Combine(stack.ConfigRoot, "config"));
        StandInDatasets.DataDirectory = Path.Combine(AppContext.BaseDirectory, "Data");
        var settings = new StandInSettings
        {
            ConfigRoot = stack.ConfigRoot,
            WorkspaceRoot = stack.WorkspaceRoot,
            LocalRoot = stack.LocalRoot,
            WorkerMode = "in-process",
            SyncWait = TimeSpan.FromSeconds(60),
        };
        var port = TestNames.FreePort();
        stack._server = ServerHost.Build(settings, stack.Jobs, $"http://127.0.0.1:{port}");
        await stack._server.StartAsync();
        stack.BaseUrl = $"http://127.0.0.1:{port}";
        stack.Api = new ApiClient(stack.BaseUrl);
        var processor = new JobProcessor(settings, stack.Jobs, new InProcessSyncRunner(settings));
        stack._scheduler = Task.Run(async () =>
        {
            while (!stack._stop.IsCancellationRequested)
            {
                if (!await processor.ProcessNextAsync(stack._stop.Token)) await Task.Delay(100, stack._stop.Token);
            }
        });
        return stack;
    }

    public string AttemptDirectory(long jobId, int attempt = 0) => Path.Combine(WorkspaceRoot, jobId.ToString(System.Globalization.CultureInfo.InvariantCulture), attempt.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            if (_scheduler is not null) await _scheduler;
        }
        catch (OperationCanceledException)
        {
        }
        if (_server is not null)
        {
            await _server.StopAsync();
            await _server.DisposeAsync();
        }
        Api?.Dispose();
        _stop.Dispose();
        _root.Dispose();
    }
}
