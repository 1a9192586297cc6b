using System.Globalization;

namespace AirbyteOps.Workspace.Jobs;

/// <summary>
/// A job attempt's place in the workspace (<c>&lt;job&gt;/&lt;attempt&gt;</c>). Ordered by number, not by text:
/// the tutorial's <c>sort</c> puts job 9 after job 12, which is the bug this type exists to avoid.
/// </summary>
public readonly record struct JobAttemptId(long Job, long Attempt) : IComparable<JobAttemptId>
{
    public int CompareTo(JobAttemptId other)
    {
        var byJob = Job.CompareTo(other.Job);
        return byJob != 0 ? byJob : Attempt.CompareTo(other.Attempt);
    }

    public static bool operator <(JobAttemptId a, JobAttemptId b) => a.CompareTo(b) < 0;
    public static bool operator >(JobAttemptId a, JobAttemptId b) => a.CompareTo(b) > 0;
    public static bool operator <=(JobAttemptId a, JobAttemptId b) => a.CompareTo(b) <= 0;
    public static bool operator >=(JobAttemptId a, JobAttemptId b) => a.CompareTo(b) >= 0;

    /// <summary>The folder of this attempt, relative to the workspace root.</summary>
    public string RelativePath => string.Create(CultureInfo.InvariantCulture, $"{Job}/{Attempt}");

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"job {Job} attempt {Attempt}");

    /// <summary>
    /// Reads the id from a workspace-relative path such as <c>12/1/normalize/models/x.sql</c>.
    /// Only plain decimal folder names count: anything else in the volume is not a job.
    /// </summary>
    public static bool TryParsePath(string relativePath, out JobAttemptId id, out string rest)
    {
        id = default;
        rest = "";
        var parts = relativePath.Trim('/').Split('/', 3);
        if (parts.Length < 2 || !IsNumber(parts[0]) || !IsNumber(parts[1])) return false;
        if (!long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var job)) return false;
        if (!long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var attempt)) return false;
        id = new JobAttemptId(job, attempt);
        rest = parts.Length == 3 ? parts[2] : "";
        return true;
    }

    private static bool IsNumber(string s) => s.Length is > 0 and <= 18 && s.All(char.IsAsciiDigit);
}
