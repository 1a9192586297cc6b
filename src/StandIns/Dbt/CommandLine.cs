namespace AirbyteOps.StandIns.Dbt;

/// <summary>The few dbt options the targets and the tutorial use; anything else is refused as dbt refuses it.</summary>
public sealed record CommandLine(string Command, string ProjectDirectory, string ProfilesDirectory, bool FullRefresh, string? Target)
{
    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        string? command = null, project = null, profiles = null, target = null;
        var fullRefresh = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value(string name)
            {
                var eq = arg.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0) return arg[(eq + 1)..];
                if (i + 1 >= args.Count) throw new UsageException($"argument {name}: expected one argument");
                return args[++i];
            }
            var name = arg.Split('=', 2)[0];
            switch (name)
            {
                case "--version": return new CommandLine("--version", ".", ".", false, null);
                case "--project-dir": project = Value(name); break;
                case "--profiles-dir": profiles = Value(name); break;
                case "--target" or "-t": target = Value(name); break;
                case "--full-refresh": fullRefresh = true; break;
                case "debug" or "deps" or "run" when command is null: command = arg; break;
                default: throw new UsageException($"unrecognized arguments: {arg}");
            }
        }
        if (command is null) throw new UsageException("the following arguments are required: sub-command (this stand-in knows debug, deps, run)");
        var home = Environment.GetEnvironmentVariable("HOME") ?? ".";
        return new CommandLine(
            command,
            Path.GetFullPath(project ?? "."),
            Path.GetFullPath(profiles ?? Environment.GetEnvironmentVariable("DBT_PROFILES_DIR") ?? Path.Combine(home, ".dbt")),
            fullRefresh,
            target);
    }
}
