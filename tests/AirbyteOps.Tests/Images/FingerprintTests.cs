using AirbyteOps.Images;

namespace AirbyteOps.Tests.Images;

/// <summary>The stat-only key under which recipe fingerprints are cached: it reads no content and moves with any source change.</summary>
public sealed class FingerprintTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("abops-fp-").FullName;

    [Fact]
    public void The_stat_only_key_reads_no_content_and_changes_when_a_source_is_touched()
    {
        var file = Path.Combine(_dir, "Dockerfile");
        var time = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        File.WriteAllText(file, "FROM a\n");
        File.SetLastWriteTimeUtc(file, time);
        var keyA = new Fingerprint(statOnly: true).AddFolder(_dir).Value;
        var contentA = new Fingerprint().AddFolder(_dir).Value;

        // Same size, mode and time, other bytes: the key cannot tell, so it never read them; the real fingerprint can.
        File.WriteAllText(file, "FROM b\n");
        File.SetLastWriteTimeUtc(file, time);
        var keyB = new Fingerprint(statOnly: true).AddFolder(_dir).Value;
        var contentB = new Fingerprint().AddFolder(_dir).Value;

        // Touched (a new time, as any edit or checkout gives it): the key changes, so the fingerprint is computed again.
        File.SetLastWriteTimeUtc(file, time.AddSeconds(1));
        var keyTouched = new Fingerprint(statOnly: true).AddFolder(_dir).Value;

        Assert.Equal(keyA, keyB);
        Assert.NotEqual(contentA, contentB);
        Assert.NotEqual(keyA, keyTouched);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
