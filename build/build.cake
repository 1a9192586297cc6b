// The table of contents of the build: every target, what it depends on, and the one method of the build
// context (src/AirbyteOps.Build/BuildContext.Targets.cs) that does it. No logic lives here.
#r "../.build/lib/AirbyteOps.Build.dll"

using AirbyteOps.Build;

Setup<BuildContext>(_ => BuildContext.Create(MakeAbsolute(Directory("..")).FullPath, Context.Arguments.GetArguments(), line => Information("{0}", line)));
Teardown(_ => BuildContext.Release());

var help = Task(TargetNames.Help)
    .Description("List the targets and the parameters with their defaults")
    .Does<BuildContext>(build => build.Help(TaskList()));

var ensureDocker = Task(TargetNames.EnsureDocker)
    .Description("Make sure a Docker engine answers: start dockerd, or install docker.io with apt-get (root on Debian)")
    .Does<BuildContext>(build => build.EnsureDocker());

var images = Task(TargetNames.Images)
    .Description("Build every local image from Debian packages and the project's sources (reuses what is current; never pulls)")
    .IsDependentOn(ensureDocker)
    .Does<BuildContext>(build => build.Images());

var startPostgres = Task(TargetNames.StartPostgres)
    .Description("Start the destination Postgres on 127.0.0.1 (tutorial step 1) and wait until it answers a query")
    .IsDependentOn(ensureDocker)
    .Does<BuildContext>(build => build.StartPostgres());

var composeUp = Task(TargetNames.ComposeUp)
    .Description("Bring the Airbyte compose project up (the demo stack by default) and wait until the server's health says ready")
    .IsDependentOn(ensureDocker)
    .Does<BuildContext>(build => build.ComposeUp());

var wipeVolumes = Task(TargetNames.WipeVolumes)
    .Description("docker-compose down -v, explained: list the containers, network and volumes it removes and the bind mounts it keeps, then remove them")
    .IsDependentOn(ensureDocker)
    .Does<BuildContext>(build => build.WipeVolumes());

var createConnections = Task(TargetNames.CreateConnections)
    .Description("Create the tutorial's sources, destinations and connections from build/connections.yaml through the API (idempotent; --connection picks one)")
    .Does<BuildContext>(build => build.CreateConnections());

var sync = Task(TargetNames.Sync)
    .Description("Run a sync of --connection (name or id) through the Airbyte API and wait for its job; prints the attempt's log")
    .Does<BuildContext>(build => build.Sync());

var localData = Task(TargetNames.LocalData)
    .Description("List what the local-file destination wrote, on the host and from inside a container")
    .IsDependentOn(ensureDocker)
    .Does<BuildContext>(build => build.LocalData());

var exportSetup = Task(TargetNames.ExportSetup)
    .Description("Save the server's CONFIG_ROOT as a setup (files + manifest with SHA-256s; secrets to a 0600 sidecar file), from the server or its data volume")
    .IsDependentOn(ensureDocker)
    .Does<BuildContext>(build => build.ExportSetup());

var restoreSetup = Task(TargetNames.RestoreSetup)
    .Description("Put a saved setup back: validate, snapshot the live configuration, stage in the volume, swap, verify; roll back on any failure")
    .IsDependentOn(composeUp)
    .Does<BuildContext>(build => build.RestoreSetup());

var verifySetup = Task(TargetNames.VerifySetup)
    .Description("Check a setup completely without touching any deployment (manifest, checksums, secrets in the sidecar, what a restore would write)")
    .Does<BuildContext>(build => build.VerifySetup());

var logs = Task(TargetNames.Logs)
    .Description("List the jobs and attempts of the workspace volume, newest first; --job N [--attempt M] prints (or --copy copies) that attempt's log")
    .IsDependentOn(ensureDocker)
    .Does<BuildContext>(build => build.Logs());

var extractNormalization = Task(TargetNames.ExtractNormalization)
    .Description("Copy the newest job's normalize/ dbt project (by job number, or --job/--attempt) out of the workspace volume into <artifacts>/normalization")
    .IsDependentOn(ensureDocker)
    .Does<BuildContext>(build => build.ExtractNormalization());

var dbtRun = Task(TargetNames.DbtRun)
    .Description("dbt debug, then dbt run on the normalization project against the destination, in the normalization image or with a local dbt")
    .IsDependentOn(extractNormalization)
    .IsDependentOn(startPostgres)
    .Does<BuildContext>(build => build.DbtRun());

var tutorial = Task(TargetNames.Tutorial)
    .Description("The whole tutorial on the demo stack, resumable: finished steps are not redone (--restart starts over); ends with a table of steps")
    .IsDependentOn(ensureDocker)
    .Does<BuildContext>(build => build.Tutorial());

var test = Task(TargetNames.Test)
    .Description("Provision the engine and local images, run the unit and integration tests, print 'N passed, N failed, N skipped'")
    .IsDependentOn(images)
    .Does<BuildContext>(build => build.Test());

IEnumerable<(string Name, string Description, IReadOnlyList<string> Dependencies)> TaskList() =>
    Tasks.Select(t => (t.Name, t.Description, (IReadOnlyList<string>)t.Dependencies.Select(d => d.Name).ToList()));

// Help alone (no --tree, --dryrun or --description) prints the same lines without Cake's task engine, which has nothing to
// order or time for it; the parameters are read and checked as in Setup.
var targets = Arguments<string>("target", new[] { TargetNames.Help });
if (BuildContext.IsHelpAlone(targets, Environment.GetCommandLineArgs()))
    BuildContext.HelpAlone(MakeAbsolute(Directory("..")).FullPath, Context.Arguments.GetArguments(), line => Information("{0}", line), TaskList());
else
    RunTargets(targets);
