using System.Formats.Tar;
using AirbyteOps.Docker;

namespace AirbyteOps.Setups.Tests;

public sealed class ValidationTests
{
    private static TreeEntry Dir(string p) => new(p, EntryKind.Directory, (UnixFileMode)0x1ED, 0, 0, 0, null, null);
    private static TreeEntry FileAt(string p) => new(p, EntryKind.File, (UnixFileMode)0x1A4, 0, 0, 1, "aa", null);
    private static TreeEntry Link(string p, string t) => new(p, EntryKind.SymbolicLink, (UnixFileMode)0x1FF, 0, 0, 0, null, t);
    private static TreeEntry Hard(string p, string t) => new(p, EntryKind.HardLink, (UnixFileMode)0x1A4, 0, 0, 0, null, t);

    [Theory]
    [InlineData("/etc/passwd", "absolute path")]
    [InlineData("../x", "climbs out")]
    [InlineData("config/../../x", "climbs out")]
    [InlineData("config\\x", "backslash")]
    [InlineData("config/\u0000x", "NUL character")]
    [InlineData("config/\uFFFDx", "not valid UTF-8")]
    public void Bad_names_are_refused(string name, string why)
    {
        var error = Assert.Throws<TreeException>(() => SafeTree.NormalizeName(name, "test"));
        Assert.Contains(why, error.Message);
    }

    [Theory]
    [InlineData("./config/x.json", "config/x.json")]
    [InlineData("data/", "data")]
    [InlineData("./", "")]
    [InlineData("config/a\nb.json", "config/a\nb.json")]
    [InlineData("config/tab\there", "config/tab\there")]
    public void Names_are_normalized(string name, string expected) => Assert.Equal(expected, SafeTree.NormalizeName(name, "test"));

    public static TheoryData<string, string> BadTrees => new()
    {
        { "link-up", "escapes the tree" },
        { "link-absolute", "absolute path" },
        { "link-chain", "escapes the tree" },
        { "under-link", "lies under the symbolic link" },
        { "hard-out", "hard link out" },
        { "hard-missing", "not a file of this tree" },
        { "duplicate", "appears twice" },
        { "loop", "loop" },
    };

    [Theory]
    [MemberData(nameof(BadTrees))]
    public void Bad_trees_are_refused(string kind, string why)
    {
        List<TreeEntry> tree = [Dir("config"), Dir("config/a"), FileAt("config/a/f.json")];
        tree.AddRange(kind switch
        {
            "link-up" => [Link("config/a/up", "../../..")],
            "link-absolute" => [Link("config/abs", "/etc")],
            // Each link alone stays inside; followed through one another they leave the tree.
            "link-chain" => [Link("config/a/l1", ".."), Link("config/l2", "a/l1/../..")],
            "under-link" => [Link("config/l", "a"), FileAt("config/l/x.json")],
            "hard-out" => [Hard("config/h", "../etc/passwd")],
            "hard-missing" => [Hard("config/h", "config/nope")],
            "duplicate" => [FileAt("config/a/f.json")],
            "loop" => [Link("config/x", "y"), Link("config/y", "x"), Link("config/z", "x/q")],
            _ => [],
        });
        var error = Assert.Throws<TreeException>(() => SafeTree.Validate(tree.Select(e => e.Node), "test"));
        Assert.Contains(why, error.Message);
    }

    /// <summary>
    /// CI's CsCheck seed 87-RMB-2wBU6 (RoundTripPropertyTests): a refusal named a link target, or the link an entry lies
    /// under, with its newline as it was, so the one-line message was two lines. Every name in the message is escaped.
    /// </summary>
    [Theory]
    [InlineData("link-absolute")]
    [InlineData("link-up")]
    [InlineData("under-link")]
    [InlineData("under-file")]
    [InlineData("hard-out")]
    public void A_refusal_is_one_line_even_when_the_names_it_gives_hold_a_newline(string kind)
    {
        List<TreeEntry> tree = [Dir("config"), Dir("config/a"), FileAt("config/a/f.json")];
        tree.AddRange(kind switch
        {
            "link-absolute" => [Link("config/abs", "/etc/new\nline")],
            "link-up" => [Link("config/a/up", "../../../new\nline")],
            "under-link" => [Link("config/new\nline", "a"), FileAt("config/new\nline/x.json")],
            "under-file" => [FileAt("config/new\nline"), FileAt("config/new\nline/x.json")],
            "hard-out" => [Hard("config/h", "../new\nline")],
            _ => [],
        });
        var error = Assert.Throws<TreeException>(() => SafeTree.Validate(tree.Select(e => e.Node), "test"));
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains("new\\nline", error.Message);
    }

    [Fact]
    public void A_sound_tree_with_inner_links_passes()
    {
        SafeTree.Validate(new[] { Dir("config"), Dir("config/a"), FileAt("config/a/f.json"), Link("config/l", "a/f.json"), Link("config/a/up", "../a"), Hard("config/h", "config/a/f.json") }.Select(e => e.Node), "test");
    }

    [Theory]
    [InlineData(TarEntryType.CharacterDevice, "device")]
    [InlineData(TarEntryType.BlockDevice, "device")]
    [InlineData(TarEntryType.Fifo, "fifo")]
    public void Devices_and_fifos_are_refused(TarEntryType type, string why)
    {
        var error = Assert.Throws<TreeException>(() => ArchiveEntry.FromTar(new PaxTarEntry(type, "config/dev"), "test"));
        Assert.Contains(why, error.Message);
    }

    [Fact]
    public void Rollback_undoes_a_swap_stopped_after_any_rename()
    {
        var plan = new SwapPlan("s", DateTimeOffset.UnixEpoch, ["config", "old-only"], ["config", "new-only"]);
        var forward = plan.ForwardMoves();
        for (var done = 0; done <= forward.Count; done++)
        {
            var state = new HashSet<string>(StringComparer.Ordinal) { "config", "old-only", $"{VolumeWorkArea.Staging}/config", $"{VolumeWorkArea.Staging}/new-only" };
            var contents = state.ToDictionary(p => p, p => p.StartsWith(VolumeWorkArea.Staging, StringComparison.Ordinal) ? "new" : "old");
            foreach (var (from, to) in forward.Take(done)) Move(contents, from, to);
            foreach (var (from, to) in plan.RollbackMoves(contents.Keys.ToHashSet())) Move(contents, from, to);
            Assert.Equal("old", contents["config"]);
            Assert.Equal("old", contents["old-only"]);
            Assert.False(contents.ContainsKey("new-only"), $"after {done} renames the new-only entry stayed live");
        }
    }

    private static void Move(Dictionary<string, string> state, string from, string to)
    {
        Assert.False(state.ContainsKey(to), $"rename onto existing {to}");
        state[to] = state[from];
        state.Remove(from);
    }
}
