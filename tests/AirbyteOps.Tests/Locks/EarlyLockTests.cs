using AirbyteOps.Build;
using AirbyteOps.Build.Parameters;
using AirbyteOps.Locks;

namespace AirbyteOps.Tests.Locks;

/// <summary>
/// A run of ComposeUp or RestoreSetup alone claims the deployment in Setup, before Cake starts its first task: the look
/// at the project that ComposeUp needs (RestoreSetup's dependency) is then taken under the lock, beside the engine's
/// version request, and handed to ComposeUp with the lock. A run of other targets takes no lock in Setup.
/// </summary>
public sealed class EarlyLockTests
{
    [Theory]
    [InlineData("RestoreSetup", "RestoreSetup")]
    [InlineData("ComposeUp", "ComposeUp")]
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
