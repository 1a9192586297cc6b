using AirbyteOps.StandIns.DbEraStack;
using AirbyteOps.StandIns.DbEraStack.Proxy;
using AirbyteOps.StandIns.DbEraStack.Server;

// Stand-in for the Airbyte 0.50.33 containers of the database-era demo stack: one binary, the mode says which container.
var mode = args.Length > 0 ? args[0] : "";
switch (mode)
{
    case "bootloader":
        try
        {
            await AirbyteOps.StandIns.DbEraStack.Bootloader.Bootloader.RunAsync(Settings.FromEnvironment(), Console.WriteLine, TimeSpan.FromMinutes(2));
            return 0;
        }
        catch (Exception ex) when (ex is InvalidOperationException or Npgsql.NpgsqlException)
        {
            await Console.Error.WriteLineAsync("Bootloader failed: " + ex.Message);
            return 1;
        }
    case "server":
    {
        var port = Environment.GetEnvironmentVariable("SERVER_PORT") is { Length: > 0 } p ? p : "8001";
        await using var app = await ServerHost.BuildAsync(Settings.FromEnvironment(), $"http://0.0.0.0:{port}");
        await app.RunAsync();
        return 0;
    }
    case "proxy":
    {
        await using var app = ProxyHost.Build(Environment.GetEnvironmentVariable, "http://0.0.0.0:8000", "http://0.0.0.0:8001");
        await app.RunAsync();
        return 0;
    }
    default:
        await Console.Error.WriteLineAsync("usage: dbera-standin bootloader|server|proxy");
        return 2;
}
