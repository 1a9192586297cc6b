using AirbyteOps.Build;
using AirbyteOps.Build.Parameters;
using AirbyteOps.Locks;

namespace AirbyteOps.Tests.Locks;

/// <summary>
/// A run of ComposeUp or WipeVolumes alone claims the deployment in Setup, before Cake starts its first task: its look at
/// the project is then taken under the lock, beside the engine's version request, and handed to the target with the lock.
/// Other runs take the lock in their target (RestoreSetup's dependency ComposeUp, ExportSetup); Setup takes none.
/// </summary>
public sealed class EarlyLockTests
{
    [Theory]
    [InlineData("ComposeUp", "ComposeUp")]
    [InlineData("WipeVolumes", "WipeVolumes")]
    [InlineData("RestoreSetup", null)]
    [InlineData("ExportSetup", null)]
    public void Setup_of_a_run_takes_the_deployments_lock_for_the_targets_that_look_at_the_project_first(string target, string? holder)
    {
        var project = TestNames.Unique("early");
        string? lockPath = null;
        try
        {
            using (var context = BuildContext.Create(RepositoryPaths.Root, ParameterReader.ParseArguments(["--target", target, "--project", project]), _ => { }))
            {
                lockPath = DeploymentLock.PathFor(context.Engine.Endpoint.ToString(), project);
                Assert.Equal(holder, DeploymentLock.ReadHolder(lockPath)?.Target);
            }
            // Released with the run's context (Cake's Teardown), whether or not a target took it.
            Assert.Null(DeploymentLock.ReadHolder(lockPath));
        }
        finally
        {
            if (lockPath is not null)
            {
                File.Delete(lockPath);
                foreach (var file in DeploymentLock.HolderFiles(lockPath)) File.Delete(file);
            }
        }
    }
}
