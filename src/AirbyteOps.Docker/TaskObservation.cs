namespace AirbyteOps.Docker;

/// <summary>For a task started ahead of the code that awaits it, which may never be reached (an earlier step failed).</summary>
public static class TaskObservation
{
    /// <summary>
    /// Reads the task's exception when it faults, so a failure nobody awaited is dropped instead of reported as unobserved;
    /// whoever awaits the task still gets it. Returns the task.
    /// </summary>
    public static T Observe<T>(this T task) where T : Task
    {
        _ = task.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return task;
    }
}
