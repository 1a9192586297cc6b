using System.Globalization;

namespace AirbyteOps.StandIns.DbEraStack.Schema;

/// <summary>One Flyway migration of Airbyte's: database ("configs" or "jobs"), class name, version and description as Flyway derives them.</summary>
public sealed record FlywayMigration(string Database, string ClassName)
{
    /// <summary>"V0_50_24_006__AddPermission..." → "0.50.24.006" (Flyway reads '_' in the version part as '.').</summary>
    public string Version => ClassName[1..ClassName.IndexOf("__", StringComparison.Ordinal)].Replace('_', '.');

    /// <summary>The part after "__" with '_' read as ' ', as Flyway writes it into the history table.</summary>
    public string Description => ClassName[(ClassName.IndexOf("__", StringComparison.Ordinal) + 2)..].Replace('_', ' ');

    /// <summary>The Java class Flyway ran (the history table's "script" column for JDBC migrations).</summary>
    public string Script => $"io.airbyte.db.instance.{Database}.migrations.{ClassName}";

    /// <summary>The history table of the migration's database.</summary>
    public string HistoryTable => $"airbyte_{Database}_migrations";

    public IReadOnlyList<int> VersionParts => Version.Split('.').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToList();
}

/// <summary>Airbyte's <c>flyway-migrations.txt</c> ("configs V0_30_22_001__Store_last_sync_state" per line), in version order.</summary>
public static class FlywayMigrations
{
    public static IReadOnlyList<FlywayMigration> Parse(string text) => text.Split('\n')
        .Select(l => l.Trim())
        .Where(l => l.Length > 0)
        .Select(l =>
        {
            var parts = l.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2 || parts[0] is not ("configs" or "jobs") || !parts[1].StartsWith('V') || !parts[1].Contains("__", StringComparison.Ordinal))
                throw new InvalidDataException($"Not a Flyway migration line: '{l}'.");
            return new FlywayMigration(parts[0], parts[1]);
        })
        .OrderBy(m => m.Database, StringComparer.Ordinal)
        .ThenBy(m => m, Comparer<FlywayMigration>.Create((a, b) => CompareVersions(a.Version, b.Version)))
        .ToList();

    /// <summary>Compares dotted versions part by part as numbers ("0.50.4.001" &lt; "0.50.24.006").</summary>
    public static int CompareVersions(string a, string b)
    {
        var x = a.Split('.');
        var y = b.Split('.');
        for (var i = 0; i < Math.Max(x.Length, y.Length); i++)
        {
            var p = i < x.Length ? long.Parse(x[i], CultureInfo.InvariantCulture) : 0;
            var q = i < y.Length ? long.Parse(y[i], CultureInfo.InvariantCulture) : 0;
            if (p != q) return p.CompareTo(q);
        }
        return 0;
    }

    public static FlywayMigration Newest(IEnumerable<FlywayMigration> migrations, string database) =>
        migrations.Where(m => m.Database == database).Aggregate((a, b) => CompareVersions(a.Version, b.Version) >= 0 ? a : b);
}
