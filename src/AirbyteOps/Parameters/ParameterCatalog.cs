namespace AirbyteOps.Parameters;

/// <summary>Every parameter the build knows, declared once. Defaults live in the checked-in defaults file (build/parameters.json).</summary>
public static class ParameterCatalog
{
    public static IReadOnlyList<Parameter> All { get; } =
    [
        Parameter.Of("artifacts", "Folder for setups, logs, extracted projects and test results (relative to the repository)"),
        Parameter.Of("docker-host", "Docker engine endpoint; empty means DOCKER_HOST or unix:///var/run/docker.sock"),
        Parameter.Of("images", "Where images come from: 'local' (built here from Debian packages, never pulled) or 'official' (Docker Hub images; pulls when missing)"),
        Parameter.Of("debian-mirror", "Debian archive used to build the local base image; empty means the first one in /etc/apt/sources.list(.d)"),
        Parameter.Of("timeout", "Seconds to wait for a service to become ready"),
        Parameter.Of("local-root", "The local-file destination folder on the host (Airbyte's LOCAL_ROOT bind mount)"),
        Parameter.Of("postgres-container", "Name of the destination Postgres container"),
        Parameter.Of("postgres-image", "Image of the destination Postgres; empty means the catalog's Postgres 15 image for --images"),
        Parameter.Of("postgres-port", "Host port published on 127.0.0.1 for the destination Postgres"),
        Parameter.Of("postgres-user", "Destination Postgres superuser (POSTGRES_USER)"),
        new Parameter("postgres-password", "Destination Postgres password (POSTGRES_PASSWORD); never printed", "POSTGRES_PASSWORD", Secret: true),
        Parameter.Of("postgres-db", "Destination Postgres database (POSTGRES_DB)"),
        Parameter.Of("compose-file", "The Airbyte compose file (relative to the repository or absolute); the default is the demo stack"),
        Parameter.Of("project", "Compose project name"),
        Parameter.Of("env-file", "Env file passed to compose; empty means the .env beside the compose file"),
        Parameter.Of("server-url", "Base URL of the Airbyte server's API"),
        Parameter.Of("connection", "Connection to sync: its name or id"),
        Parameter.Of("setup", "ExportSetup/RestoreSetup: a setup name (under <artifacts>/setups) or a path to a setup folder or archive"),
        Parameter.Of("server-container", "The Airbyte server container that holds CONFIG_ROOT"),
        Parameter.Of("data-volume", "The volume behind CONFIG_ROOT, read or written directly when the server is not running"),
        Parameter.Of("config-root", "CONFIG_ROOT inside the server"),
        Parameter.Of("secrets", "ExportSetup: 'sidecar' moves secret values to <setup>.secrets.json (0600, git-ignored); 'inline' keeps them in the files, as the tutorial does"),
        Parameter.Of("secret-keys", "ExportSetup: extra configuration keys to treat as secrets (comma-separated)"),
        Parameter.Of("archive", "ExportSetup: also write <setup>.tar.gz (modes and symlinks kept)"),
        Parameter.Of("overwrite", "ExportSetup: replace a saved setup whose content differs (otherwise refused)"),
        Parameter.Of("airbyte-version", "ExportSetup: the Airbyte version to record; empty reads AIRBYTE_VERSION off the server"),
        Parameter.Of("secrets-file", "RestoreSetup: the secrets file; empty means <setup>.secrets.json beside the setup"),
        Parameter.Of("force-version", "RestoreSetup: restore even when the setup's Airbyte major.minor differs from the deployment's"),
        Parameter.Of("allow-missing-secrets", "RestoreSetup: restore even when secret values are missing (placeholders stay in the files)"),
        Parameter.Of("workspace-volume", "The job workspace volume (WORKSPACE_ROOT in the server)"),
        Parameter.Of("job", "Logs/ExtractNormalization/DbtRun: a job number; empty means the newest (by number, not by text)"),
        Parameter.Of("attempt", "With --job: an attempt number; empty means the job's newest attempt"),
        Parameter.Of("copy", "Logs: copy the attempt's logs.log and catalog.json to <artifacts>/logs instead of printing"),
        Parameter.Of("follow", "Logs: keep printing a growing logs.log"),
        Parameter.Of("dbt-mode", "DbtRun: 'container' runs dbt in the normalization image on the workspace volume (as the tutorial); 'local' runs a dbt on PATH on the extracted copy"),
        Parameter.Of("normalization-image", "DbtRun container mode: the image with /usr/local/bin/dbt; empty means the catalog's for --images (local: the stand-in)"),
        Parameter.Of("dbt", "DbtRun local mode: the dbt executable"),
        Parameter.Of("project-dir", "DbtRun local mode: the dbt project; empty means <artifacts>/normalization/normalize"),
        Parameter.Of("restart", "Tutorial: forget the finished steps and run the tutorial from the start"),
        Parameter.Of("test-filter", "dotnet test --filter expression for the Test target; empty runs every test"),
    ];

    private static readonly List<Parameter> Extra = [];

    /// <summary>Adds parameters declared by other libraries (setups, workspace); a name is declared once.</summary>
    public static void Register(params Parameter[] parameters)
    {
        foreach (var p in parameters)
            if (All.All(a => a.Name != p.Name) && Extra.All(a => a.Name != p.Name)) Extra.Add(p);
    }

    public static IEnumerable<Parameter> Everything => All.Concat(Extra);

    public static Parameter Find(string name) =>
        Everything.FirstOrDefault(p => p.Name == name) ?? throw new ArgumentException($"Unknown parameter '{name}'.", nameof(name));
}
