using System.ComponentModel.DataAnnotations;
using AirbyteOps.Api;
using AirbyteOps.Images;
using AirbyteOps.Setups.Secrets;
using AirbyteOps.Workspace.Dbt;

namespace AirbyteOps.Build.Parameters;

/// <summary>
/// Every build parameter, declared once: its type, default (the initial value), description, environment variable
/// and secret flag. Values come from the command line, then the environment, then .nuke/parameters.json
/// (<see cref="ParameterReader"/>); --help and .nuke/build.schema.json are generated from this type. Adding a
/// parameter is adding a property here.
/// </summary>
public sealed class BuildParameters
{
    // ---- Where things are ----
    [Parameter("Folder for setups, logs, extracted projects and test results (relative to the repository)")]
    [Required]
    public string Artifacts { get; init; } = "artifacts";

    [Parameter("Docker engine endpoint; empty means DOCKER_HOST or unix:///var/run/docker.sock")]
    public string? DockerHost { get; init; }

    [Parameter("Where images come from: 'local' (built here from Debian packages, never pulled) or 'official' (Docker Hub images; pulls when missing)")]
    public ImageSource Images { get; init; } = ImageSource.Local;

    [Parameter("Debian archive used to build the local base image; empty means the first one in /etc/apt/sources.list(.d)")]
    public string? DebianMirror { get; init; }

    [Parameter("Seconds to wait for a service to become ready")]
    [Range(1, 86_400)]
    public int Timeout { get; init; } = 120;

    [Parameter("Seconds to wait while another process holds the deployment's lock (ComposeUp, WipeVolumes, ExportSetup, RestoreSetup, Tutorial run one at a time per deployment)")]
    [Range(0, 86_400)]
    public int LockTimeout { get; init; } = 300;

    // ---- StartPostgres ----
    [Parameter("The local-file destination folder on the host (Airbyte's LOCAL_ROOT bind mount)")]
    [Required]
    public string LocalRoot { get; init; } = "/tmp/airbyte_local";

    [Parameter("Name of the destination Postgres container")]
    [Required]
    public string PostgresContainer { get; init; } = "local-airbyte-postgres-destination";

    [Parameter("Image of the destination Postgres; empty means the catalog's Postgres 15 image for --images")]
    public string? PostgresImage { get; init; }

    [Parameter("Host port published on 127.0.0.1 for the destination Postgres")]
    [Range(1, 65_535)]
    public int PostgresPort { get; init; } = 3000;

    [Parameter("Destination Postgres superuser (POSTGRES_USER)")]
    [Required]
    public string PostgresUser { get; init; } = "postgres";

    /// <summary>The tutorial's well-known demo password; set POSTGRES_PASSWORD for anything else.</summary>
    [Parameter("Destination Postgres password (the tutorial's by default); never printed", EnvironmentVariable = "POSTGRES_PASSWORD", Secret = true)]
    [Required]
    public string PostgresPassword { get; init; } = "password";

    [Parameter("Destination Postgres database (POSTGRES_DB)")]
    [Required]
    public string PostgresDb { get; init; } = "postgres";

    // ---- The Airbyte deployment ----
    [Parameter("The Airbyte compose file (relative to the repository or absolute); the default is the demo stack")]
    [Required]
    public string ComposeFile { get; init; } = "src/StandIns/DemoStack/docker-compose.yaml";

    [Parameter("Compose project name")]
    [Required]
    public string Project { get; init; } = "airbyte";

    [Parameter("Env file passed to compose; empty means the .env beside the compose file")]
    public string? EnvFile { get; init; }

    [Parameter("Base URL of the Airbyte server's API (http or https)")]
    public Uri ServerUrl { get; init; } = new("http://127.0.0.1:8001/api/v1");

    [Parameter("The Airbyte server container that holds CONFIG_ROOT")]
    [Required]
    public string ServerContainer { get; init; } = "airbyte-server";

    [Parameter("The Airbyte scheduler container: held still with the server while ExportSetup captures and RestoreSetup swaps the database; with the server, where Logs/ExtractNormalization/DbtRun list the workspace (docker exec) when it is up; empty: none")]
    public string? SchedulerContainer { get; init; } = "airbyte-scheduler";

    [Parameter("The volume behind CONFIG_ROOT, read or written directly when the server is not running; empty: the one the compose file mounts at CONFIG_ROOT in the server (airbyte_data in every file-era release)")]
    public string? DataVolume { get; init; }

    [Parameter("CONFIG_ROOT inside the server")]
    [Required]
    public string ConfigRoot { get; init; } = "/data";

    [Parameter("The jobs database's container (Airbyte's airbyte-db); ComposeUp waits for its real server (psql in it) when it has no healthcheck; ExportSetup/RestoreSetup carry its database (sync state, job history); empty: configuration only, no wait")]
    public string? DbContainer { get; init; } = "airbyte-db";

    [Parameter("The job workspace volume (WORKSPACE_ROOT in the server); empty: the one the compose file mounts there (0.7.1's release: workspace; the tutorial's and later: airbyte_workspace)")]
    public string? WorkspaceVolume { get; init; }

    // ---- CreateConnections, Sync ----
    [Parameter("Sync: the connection to sync, its name or id; CreateConnections: the one of build/connections.yaml to create (empty: all)")]
    public string? Connection { get; init; }

    [Parameter("CreateConnections: how new connections sync: 'full_refresh' rewrites every stream; 'incremental' syncs only new rows of the streams that support it (append; the others stay full_refresh)")]
    public ConnectionSyncMode SyncMode { get; init; } = ConnectionSyncMode.FullRefresh;

    // ---- ExportSetup, RestoreSetup ----
    [Parameter("ExportSetup/RestoreSetup: a setup name (under <artifacts>/setups) or a path to a setup folder or archive")]
    public string? Setup { get; init; }

    [Parameter("ExportSetup: 'sidecar' moves secret values to <setup>.secrets.json (0600, git-ignored); 'inline' keeps them in the files, as the tutorial does")]
    public SecretsMode Secrets { get; init; } = SecretsMode.Sidecar;

    [Parameter("ExportSetup: extra configuration keys to treat as secrets (comma-separated)")]
    public IReadOnlyList<string> SecretKeys { get; init; } = [];

    [Parameter("ExportSetup: a folder of connector specs (<connector>/spec.json or <release>/<connector>/spec.json) whose airbyte_secret fields are secret, besides those the server's specs mark")]
    public string? ConnectorSpecs { get; init; }

    [Parameter("ExportSetup: optional parts to add, comma-separated: 'logs' (the workspace volume's job logs of the attempts the database holds, so that Logs lists the history after a restore)")]
    public IReadOnlyList<string> Include { get; init; } = [];

    [Parameter("ExportSetup: also write <setup>.tar.gz (modes and symlinks kept)")]
    public bool Archive { get; init; }

    [Parameter("ExportSetup: replace a saved setup whose content differs (otherwise refused)")]
    public bool Overwrite { get; init; }

    [Parameter("The deployment's Airbyte version (e.g. 0.27.3-alpha); empty reads AIRBYTE_VERSION, else the image tag, off the server container. Every target that talks to the API or the workspace adapts to it")]
    public string? AirbyteVersion { get; init; }

    [Parameter("RestoreSetup: the secrets file; empty means <setup>.secrets.json beside the setup")]
    public string? SecretsFile { get; init; }

    [Parameter("RestoreSetup: restore even when the setup's Airbyte major.minor differs from the deployment's")]
    public bool ForceVersion { get; init; }

    [Parameter("ExportSetup/RestoreSetup/VerifySetup: do not check the config files against the Airbyte version's schemas (ExportSetup then saves, and RestoreSetup restores, a file the server cannot read, which will make it fail)")]
    public bool SkipConfigCheck { get; init; }
    [Parameter("ExportSetup/RestoreSetup: how the data volume's files are read and written: 'auto' (the default) directly on this host's filesystem when the engine is local and this process (root) provably reaches the volume's own folder, else through the engine (the log says which and why); 'engine' always through the engine's archive endpoint and helper containers")]
    public AirbyteOps.Docker.Host.VolumeAccess VolumeAccess { get; init; } = AirbyteOps.Docker.Host.VolumeAccess.Auto;

    [Parameter("RestoreSetup: load a database dump made by another Postgres major version (refused otherwise)")]
    public bool ForcePostgresMajor { get; init; }

    [Parameter("RestoreSetup: restore even when secret values are missing (placeholders stay in the files)")]
    public bool AllowMissingSecrets { get; init; }

    // ---- Logs, ExtractNormalization, DbtRun ----
    [Parameter("Logs/ExtractNormalization/DbtRun: a job number; empty means the newest (by number, not by text)")]
    [Range(0, int.MaxValue)]
    public long? Job { get; init; }

    [Parameter("With --job: an attempt number; empty means the job's newest attempt")]
    [Range(0, int.MaxValue)]
    public long? Attempt { get; init; }

    [Parameter("Logs: copy the attempt's logs.log and catalog.json to <artifacts>/logs instead of printing")]
    public bool Copy { get; init; }

    [Parameter("Logs: keep printing a growing logs.log")]
    public bool Follow { get; init; }

    [Parameter("DbtRun: 'container' runs dbt in the normalization image on the workspace volume (as the tutorial); 'local' runs a dbt on PATH on the extracted copy")]
    public DbtMode DbtMode { get; init; } = DbtMode.Container;

    [Parameter("DbtRun container mode: the image with /usr/local/bin/dbt; empty means the catalog's for --images (local: the stand-in)")]
    public string? NormalizationImage { get; init; }

    [Parameter("DbtRun local mode: the dbt executable")]
    [Required]
    public string Dbt { get; init; } = "dbt";

    [Parameter("DbtRun: minutes each dbt command (debug, run) may take before it is stopped")]
    [Range(1, 1_440)]
    public int DbtTimeout { get; init; } = 30;

    [Parameter("DbtRun local mode: the dbt project; empty means <artifacts>/normalization/normalize")]
    public string? ProjectDir { get; init; }

    // ---- Tutorial, Test ----
    [Parameter("Tutorial: forget the finished steps and run the tutorial from the start")]
    public bool Restart { get; init; }

    [Parameter("dotnet test --filter expression for the Test target; empty runs every test")]
    public string? TestFilter { get; init; }
}
