using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;

namespace AirbyteOps.StandIns.DbEraStack.Server;

/// <summary>
/// Stand-in for the part of Airbyte 0.50.33's configuration API (POST JSON under /api/v1, shapes of
/// db-era/v0.50.33/config-api.yaml) that the targets use, reading and writing the real tables: workspace, actor_definition
/// (+ actor_definition_version), actor, secrets, connection, jobs, attempts. Every request reads the database afresh.
/// </summary>
public static class ConfigApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context).ConfigureAwait(false);
            }
            catch (ApiException ex)
            {
                context.Response.StatusCode = ex.StatusCode;
                await context.Response.WriteAsJsonAsync(ex.Body).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
            {
                // A body that is not the request's shape: 422, as the real server's validation answers.
                context.Response.StatusCode = 422;
                await context.Response.WriteAsJsonAsync(ApiException.Invalid(ex.Message).Body).ConfigureAwait(false);
            }
        });

        var api = app.MapGroup("/api/v1");
        // The real HealthCheckHandler answers available: true whenever the server answers (the route needs no auth).
        api.MapGet("health", () => Results.Json(new JsonObject { ["available"] = true }));

        Post(api, "workspaces/list", async (db, _, ct) => new JsonObject { ["workspaces"] = await Workspaces(db, null, null, ct) });
        Post(api, "workspaces/get", async (db, body, ct) => Single(await Workspaces(db, Id(body, "workspaceId"), null, ct), "Workspace", Id(body, "workspaceId")));
        Post(api, "workspaces/get_by_slug", async (db, body, ct) => Single(await Workspaces(db, null, Text(body, "slug"), ct), "Workspace", Text(body, "slug")));

        Post(api, "source_definitions/list", async (db, _, ct) => new JsonObject { ["sourceDefinitions"] = await Definitions(db, "source", null, ct) });
        Post(api, "source_definitions/list_for_workspace", async (db, body, ct) => { await RequireWorkspace(db, Id(body, "workspaceId"), ct); return new JsonObject { ["sourceDefinitions"] = await Definitions(db, "source", null, ct) }; });
        Post(api, "source_definitions/get", async (db, body, ct) => Single(await Definitions(db, "source", Id(body, "sourceDefinitionId"), ct), "StandardSourceDefinition", Id(body, "sourceDefinitionId")));
        Post(api, "destination_definitions/list", async (db, _, ct) => new JsonObject { ["destinationDefinitions"] = await Definitions(db, "destination", null, ct) });
        Post(api, "destination_definitions/list_for_workspace", async (db, body, ct) => { await RequireWorkspace(db, Id(body, "workspaceId"), ct); return new JsonObject { ["destinationDefinitions"] = await Definitions(db, "destination", null, ct) }; });
        Post(api, "destination_definitions/get", async (db, body, ct) => Single(await Definitions(db, "destination", Id(body, "destinationDefinitionId"), ct), "StandardDestinationDefinition", Id(body, "destinationDefinitionId")));

        Post(api, "sources/create", (db, body, ct) => CreateActor(db, "source", body, ct));
        Post(api, "sources/list", async (db, body, ct) => { var ws = Id(body, "workspaceId"); await RequireWorkspace(db, ws, ct); return new JsonObject { ["sources"] = await Actors(db, "source", ws, null, ct) }; });
        Post(api, "sources/get", async (db, body, ct) => Single(await Actors(db, "source", null, Id(body, "sourceId"), ct), "SourceConnection", Id(body, "sourceId")));
        Post(api, "destinations/create", (db, body, ct) => CreateActor(db, "destination", body, ct));
        Post(api, "destinations/list", async (db, body, ct) => { var ws = Id(body, "workspaceId"); await RequireWorkspace(db, ws, ct); return new JsonObject { ["destinations"] = await Actors(db, "destination", ws, null, ct) }; });
        Post(api, "destinations/get", async (db, body, ct) => Single(await Actors(db, "destination", null, Id(body, "destinationId"), ct), "DestinationConnection", Id(body, "destinationId")));

        Post(api, "connections/create", CreateConnection);
        Post(api, "connections/list", async (db, body, ct) => { var ws = Id(body, "workspaceId"); await RequireWorkspace(db, ws, ct); return new JsonObject { ["connections"] = await Connections(db, ws, null, ct) }; });
        Post(api, "connections/get", async (db, body, ct) => Single(await Connections(db, null, Id(body, "connectionId"), ct), "StandardSync", Id(body, "connectionId")));
        Post(api, "connections/sync", Sync);

        Post(api, "jobs/list", ListJobs);
        Post(api, "jobs/get", async (db, body, ct) => await JobInfo(db, Long(body, "id"), ct) ?? throw ApiException.NotFound("Job", Long(body, "id")));
    }

    private delegate Task<JsonObject> Handler(NpgsqlDataSource db, JsonObject body, CancellationToken ct);

    private static void Post(RouteGroupBuilder api, string route, Handler handler) =>
        api.MapPost(route, async (HttpRequest request, NpgsqlDataSource db, CancellationToken ct) =>
        {
            JsonObject body;
            if (request.ContentLength is 0) body = [];
            else
            {
                var node = await JsonNode.ParseAsync(request.Body, cancellationToken: ct).ConfigureAwait(false);
                body = node as JsonObject ?? throw ApiException.Invalid("The request body must be a JSON object.");
            }
            return Results.Json(await handler(db, body, ct).ConfigureAwait(false));
        });

    // ---- request fields ----
    private static Guid Id(JsonObject body, string name) =>
        body[name]?.GetValue<string>() is { } s && Guid.TryParse(s, out var id) ? id : throw ApiException.Invalid($"{name} is required and must be a UUID.");

    private static string Text(JsonObject body, string name) => body[name]?.GetValue<string>() ?? throw ApiException.Invalid($"{name} is required.");

    private static long Long(JsonObject body, string name) => body[name]?.GetValue<long>() ?? throw ApiException.Invalid($"{name} is required.");

    private static JsonObject Single(JsonArray rows, string what, object id) =>
        rows.Count > 0 ? rows[0]!.DeepClone().AsObject() : throw ApiException.NotFound(what, id);

    private static async Task RequireWorkspace(NpgsqlDataSource db, Guid id, CancellationToken ct)
    {
        if ((await Workspaces(db, id, null, ct)).Count == 0) throw ApiException.NotFound("StandardWorkspace", id);
    }

    private static async Task<List<Dictionary<string, object?>>> QueryAsync(NpgsqlDataSource db, string sql, Action<NpgsqlParameterCollection> parameters, CancellationToken ct)
    {
        await using var command = db.CreateCommand(sql);
        parameters(command.Parameters);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var rows = new List<Dictionary<string, object?>>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < reader.FieldCount; i++) row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    private static JsonNode? Jsonb(object? value) => value is string s ? JsonNode.Parse(s) : null;

    private static long Epoch(object? value) => value is DateTime t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)).ToUnixTimeSeconds() : 0;

    // ---- workspaces ----
    private static async Task<JsonArray> Workspaces(NpgsqlDataSource db, Guid? id, string? slug, CancellationToken ct)
    {
        var rows = await QueryAsync(db, "SELECT * FROM workspace WHERE NOT tombstone AND (@id::uuid IS NULL OR id = @id) AND (@slug::text IS NULL OR slug = @slug) ORDER BY name, id", p =>
        {
            p.Add(new NpgsqlParameter("id", NpgsqlDbType.Uuid) { Value = (object?)id ?? DBNull.Value });
            p.Add(new NpgsqlParameter("slug", NpgsqlDbType.Text) { Value = (object?)slug ?? DBNull.Value });
        }, ct).ConfigureAwait(false);
        return new JsonArray(rows.Select(r => (JsonNode)new JsonObject
        {
            ["workspaceId"] = r["id"]!.ToString(),
            ["customerId"] = (r["customer_id"] ?? Guid.Empty).ToString(),
            ["email"] = r["email"] as string,
            ["name"] = (string)r["name"]!,
            ["slug"] = (string)r["slug"]!,
            ["initialSetupComplete"] = (bool)r["initial_setup_complete"]!,
            ["displaySetupWizard"] = r["display_setup_wizard"] as bool?,
            ["anonymousDataCollection"] = r["anonymous_data_collection"] as bool?,
            ["news"] = r["send_newsletter"] as bool?,
            ["securityUpdates"] = r["send_security_updates"] as bool?,
            ["notifications"] = Jsonb(r["notifications"]) ?? new JsonArray(),
            ["firstCompletedSync"] = r["first_sync_complete"] as bool?,
            ["feedbackDone"] = r["feedback_complete"] as bool?,
            ["defaultGeography"] = ((string?)r["geography"] ?? "AUTO").ToLowerInvariant(),
            ["webhookConfigs"] = new JsonArray(),
        }.WithoutNulls()).ToArray());
    }

    // ---- definitions ----
    private const string DefinitionSql =
        "SELECT d.id, d.name, d.icon, d.actor_type::text AS actor_type, d.source_type::text AS source_type, d.custom, d.max_seconds_between_messages, d.resource_requirements, " +
        "v.docker_repository, v.docker_image_tag, v.documentation_url, v.protocol_version, v.release_stage::text AS release_stage, v.release_date, " +
        "v.support_level::text AS support_level, v.supports_dbt, v.normalization_repository, v.normalization_tag, v.normalization_integration_type, v.spec " +
        "FROM actor_definition d JOIN actor_definition_version v ON v.id = d.default_version_id ";

    private static async Task<JsonArray> Definitions(NpgsqlDataSource db, string type, Guid? id, CancellationToken ct)
    {
        var rows = await QueryAsync(db, DefinitionSql + "WHERE NOT d.tombstone AND d.actor_type = @type::actor_type AND (@id::uuid IS NULL OR d.id = @id) ORDER BY d.name, d.id", p =>
        {
            p.AddWithValue("type", type);
            p.Add(new NpgsqlParameter("id", NpgsqlDbType.Uuid) { Value = (object?)id ?? DBNull.Value });
        }, ct).ConfigureAwait(false);
        return new JsonArray(rows.Select(r => (JsonNode)DefinitionRead(type, r)).ToArray());
    }

    private static JsonObject DefinitionRead(string type, Dictionary<string, object?> r)
    {
        var read = new JsonObject
        {
            [type + "DefinitionId"] = r["id"]!.ToString(),
            ["name"] = (string)r["name"]!,
            ["dockerRepository"] = (string)r["docker_repository"]!,
            ["dockerImageTag"] = (string)r["docker_image_tag"]!,
            ["documentationUrl"] = r["documentation_url"] as string ?? "",
            ["icon"] = r["icon"] as string,
            ["protocolVersion"] = r["protocol_version"] as string,
            ["custom"] = (bool)r["custom"]!,
            ["supportLevel"] = r["support_level"] as string,
            ["releaseStage"] = r["release_stage"] as string,
            ["releaseDate"] = r["release_date"] is DateTime d ? d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : null,
            ["resourceRequirements"] = Jsonb(r["resource_requirements"]),
            ["maxSecondsBetweenMessages"] = r["max_seconds_between_messages"] is int m ? m : null,
        };
        if (type == "source") read["sourceType"] = r["source_type"] as string;
        else
        {
            read.Remove("maxSecondsBetweenMessages");
            read["supportsDbt"] = r["supports_dbt"] as bool? ?? false;
            var normalization = new JsonObject { ["supported"] = r["normalization_repository"] is string };
            if (r["normalization_repository"] is string repo)
            {
                normalization["normalizationRepository"] = repo;
                normalization["normalizationTag"] = r["normalization_tag"] as string;
                normalization["normalizationIntegrationType"] = r["normalization_integration_type"] as string;
            }
            read["normalizationConfig"] = normalization.WithoutNulls();
        }
        return read.WithoutNulls();
    }

    // ---- sources and destinations (rows of actor) ----
    private static async Task<JsonObject> CreateActor(NpgsqlDataSource db, string type, JsonObject body, CancellationToken ct)
    {
        var workspaceId = Id(body, "workspaceId");
        var definitionId = Id(body, type + "DefinitionId");
        var name = Text(body, "name");
        var configuration = body["connectionConfiguration"] as JsonObject ?? throw ApiException.Invalid("connectionConfiguration is required and must be an object.");
        await RequireWorkspace(db, workspaceId, ct).ConfigureAwait(false);
        var definitions = await QueryAsync(db, "SELECT d.default_version_id, v.spec FROM actor_definition d JOIN actor_definition_version v ON v.id = d.default_version_id WHERE d.id = @id AND d.actor_type = @type::actor_type",
            p => { p.AddWithValue("id", definitionId); p.AddWithValue("type", type); }, ct).ConfigureAwait(false);
        if (definitions.Count == 0) throw ApiException.NotFound(type == "source" ? "StandardSourceDefinition" : "StandardDestinationDefinition", definitionId);
        var spec = Jsonb(definitions[0]["spec"])?["connectionSpecification"] as JsonObject ?? [];
        var id = Guid.NewGuid();
        await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        var stored = await Secrets.SplitAsync(configuration, spec, workspaceId, connection, tx, ct).ConfigureAwait(false);
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO actor (id, workspace_id, actor_definition_id, name, configuration, actor_type, tombstone, default_version_id) " +
            "VALUES (@id, @ws, @def, @name, @config, @type::actor_type, false, @version)", connection, tx))
        {
            insert.Parameters.AddWithValue("id", id);
            insert.Parameters.AddWithValue("ws", workspaceId);
            insert.Parameters.AddWithValue("def", definitionId);
            insert.Parameters.AddWithValue("name", name);
            insert.Parameters.Add(new NpgsqlParameter("config", NpgsqlDbType.Jsonb) { Value = stored.ToJsonString() });
            insert.Parameters.AddWithValue("type", type);
            insert.Parameters.AddWithValue("version", (Guid)definitions[0]["default_version_id"]!);
            await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return (await Actors(db, type, null, id, ct).ConfigureAwait(false))[0]!.DeepClone().AsObject();
    }

    private static async Task<JsonArray> Actors(NpgsqlDataSource db, string type, Guid? workspaceId, Guid? id, CancellationToken ct)
    {
        var rows = await QueryAsync(db,
            "SELECT a.id, a.workspace_id, a.actor_definition_id, a.name, a.configuration, d.name AS definition_name, d.icon, v.spec " +
            "FROM actor a JOIN actor_definition d ON d.id = a.actor_definition_id JOIN actor_definition_version v ON v.id = a.default_version_id " +
            "WHERE a.actor_type = @type::actor_type AND NOT a.tombstone AND (@ws::uuid IS NULL OR a.workspace_id = @ws) AND (@id::uuid IS NULL OR a.id = @id) ORDER BY a.name, a.id", p =>
            {
                p.AddWithValue("type", type);
                p.Add(new NpgsqlParameter("ws", NpgsqlDbType.Uuid) { Value = (object?)workspaceId ?? DBNull.Value });
                p.Add(new NpgsqlParameter("id", NpgsqlDbType.Uuid) { Value = (object?)id ?? DBNull.Value });
            }, ct).ConfigureAwait(false);
        return new JsonArray(rows.Select(r => (JsonNode)new JsonObject
        {
            [type + "DefinitionId"] = r["actor_definition_id"]!.ToString(),
            [type + "Id"] = r["id"]!.ToString(),
            ["workspaceId"] = r["workspace_id"]!.ToString(),
            ["connectionConfiguration"] = Secrets.MaskForOutput(Jsonb(r["configuration"])!.AsObject(), Jsonb(r["spec"])?["connectionSpecification"] as JsonObject ?? []),
            ["name"] = (string)r["name"]!,
            [type + "Name"] = (string)r["definition_name"]!,
            ["icon"] = r["icon"] as string,
        }.WithoutNulls()).ToArray());
    }

    // ---- connections ----
    private static readonly Dictionary<string, string> ScheduleTypeToDb = new() { ["manual"] = "manual", ["basic"] = "basic_schedule", ["cron"] = "cron" };

    private static async Task<JsonObject> CreateConnection(NpgsqlDataSource db, JsonObject body, CancellationToken ct)
    {
        var sourceId = Id(body, "sourceId");
        var destinationId = Id(body, "destinationId");
        var status = body["status"]?.GetValue<string>() ?? throw ApiException.Invalid("status is required.");
        if (status is not ("active" or "inactive" or "deprecated")) throw ApiException.Invalid($"status '{status}' is not one of active, inactive, deprecated.");
        var source = await Actors(db, "source", null, sourceId, ct).ConfigureAwait(false);
        if (source.Count == 0) throw ApiException.NotFound("SourceConnection", sourceId);
        var destination = await Actors(db, "destination", null, destinationId, ct).ConfigureAwait(false);
        if (destination.Count == 0) throw ApiException.NotFound("DestinationConnection", destinationId);
        var name = body["name"]?.GetValue<string>() ?? $"{source[0]!["name"]} <> {destination[0]!["name"]}";
        var scheduleType = body["scheduleType"]?.GetValue<string>() ?? (body["schedule"] is JsonObject ? "basic" : "manual");
        if (!ScheduleTypeToDb.TryGetValue(scheduleType, out var dbScheduleType)) throw ApiException.Invalid($"scheduleType '{scheduleType}' is not one of manual, basic, cron.");
        var geography = body["geography"]?.GetValue<string>() ?? "auto";
        if (geography is not ("auto" or "us" or "eu")) throw ApiException.Invalid($"geography '{geography}' is not one of auto, us, eu.");
        var id = Guid.NewGuid();
        await using var insert = db.CreateCommand(
            "INSERT INTO connection (id, namespace_definition, namespace_format, prefix, source_id, destination_id, name, catalog, status, schedule, manual, " +
            "  resource_requirements, source_catalog_id, schedule_type, schedule_data, geography, non_breaking_change_preference, breaking_change, field_selection_data) " +
            "VALUES (@id, @ns::namespace_definition_type, @nsf, @prefix, @src, @dst, @name, @catalog, @status::status_type, @schedule, @manual, " +
            "  @resources, @source_catalog, @stype::schedule_type, @sdata, @geo::geography_type, @nbc, false, @fields)");
        insert.Parameters.AddWithValue("id", id);
        insert.Parameters.AddWithValue("ns", body["namespaceDefinition"]?.GetValue<string>() ?? "source");
        insert.Parameters.AddWithValue("nsf", (object?)body["namespaceFormat"]?.GetValue<string>() ?? DBNull.Value);
        insert.Parameters.AddWithValue("prefix", (object?)body["prefix"]?.GetValue<string>() ?? DBNull.Value);
        insert.Parameters.AddWithValue("src", sourceId);
        insert.Parameters.AddWithValue("dst", destinationId);
        insert.Parameters.AddWithValue("name", name);
        insert.Parameters.Add(new NpgsqlParameter("catalog", NpgsqlDbType.Jsonb) { Value = Catalogs.ToConfigured(body["syncCatalog"] as JsonObject).ToJsonString() });
        insert.Parameters.AddWithValue("status", status);
        insert.Parameters.Add(new NpgsqlParameter("schedule", NpgsqlDbType.Jsonb) { Value = (object?)body["schedule"]?.ToJsonString() ?? DBNull.Value });
        insert.Parameters.AddWithValue("manual", scheduleType == "manual");
        insert.Parameters.Add(new NpgsqlParameter("resources", NpgsqlDbType.Jsonb) { Value = (object?)body["resourceRequirements"]?.ToJsonString() ?? DBNull.Value });
        insert.Parameters.Add(new NpgsqlParameter("source_catalog", NpgsqlDbType.Uuid) { Value = body["sourceCatalogId"]?.GetValue<string>() is { } c ? Guid.Parse(c) : DBNull.Value });
        insert.Parameters.AddWithValue("stype", dbScheduleType);
        insert.Parameters.Add(new NpgsqlParameter("sdata", NpgsqlDbType.Jsonb) { Value = (object?)body["scheduleData"]?.ToJsonString() ?? DBNull.Value });
        insert.Parameters.AddWithValue("geo", geography.ToUpperInvariant());
        insert.Parameters.AddWithValue("nbc", body["nonBreakingChangesPreference"]?.GetValue<string>() ?? "ignore");
        insert.Parameters.Add(new NpgsqlParameter("fields", NpgsqlDbType.Jsonb) { Value = Catalogs.FieldSelection(body["syncCatalog"] as JsonObject).ToJsonString() });
        await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        return (await Connections(db, null, id, ct).ConfigureAwait(false))[0]!.DeepClone().AsObject();
    }

    private static async Task<JsonArray> Connections(NpgsqlDataSource db, Guid? workspaceId, Guid? id, CancellationToken ct)
    {
        var rows = await QueryAsync(db,
            "SELECT c.*, c.namespace_definition::text AS ns, c.status::text AS status_text, c.schedule_type::text AS stype, c.geography::text AS geo, a.workspace_id, " +
            "  COALESCE((SELECT array_agg(o.operation_id) FROM connection_operation o WHERE o.connection_id = c.id), '{}') AS operation_ids " +
            "FROM connection c JOIN actor a ON a.id = c.source_id " +
            "WHERE (@ws::uuid IS NULL OR (a.workspace_id = @ws AND c.status <> 'deprecated')) AND (@id::uuid IS NULL OR c.id = @id) ORDER BY c.name, c.id", p =>
            {
                p.Add(new NpgsqlParameter("ws", NpgsqlDbType.Uuid) { Value = (object?)workspaceId ?? DBNull.Value });
                p.Add(new NpgsqlParameter("id", NpgsqlDbType.Uuid) { Value = (object?)id ?? DBNull.Value });
            }, ct).ConfigureAwait(false);
        return new JsonArray(rows.Select(r => (JsonNode)new JsonObject
        {
            ["connectionId"] = r["id"]!.ToString(),
            ["name"] = (string)r["name"]!,
            ["namespaceDefinition"] = r["ns"] as string,
            ["namespaceFormat"] = r["namespace_format"] as string,
            ["prefix"] = r["prefix"] as string,
            ["sourceId"] = r["source_id"]!.ToString(),
            ["destinationId"] = r["destination_id"]!.ToString(),
            ["operationIds"] = new JsonArray(((Guid[])r["operation_ids"]!).Select(g => (JsonNode)g.ToString()).ToArray()),
            ["syncCatalog"] = Catalogs.ToApi(Jsonb(r["catalog"]) as JsonObject),
            ["schedule"] = Jsonb(r["schedule"]),
            ["scheduleType"] = ScheduleTypeToDb.FirstOrDefault(p => p.Value == r["stype"] as string).Key,
            ["scheduleData"] = Jsonb(r["schedule_data"]),
            ["status"] = (string)r["status_text"]!,
            ["resourceRequirements"] = Jsonb(r["resource_requirements"]),
            ["sourceCatalogId"] = r["source_catalog_id"]?.ToString(),
            ["geography"] = ((string)r["geo"]!).ToLowerInvariant(),
            ["breakingChange"] = (bool)r["breaking_change"]!,
            ["nonBreakingChangesPreference"] = (string)r["non_breaking_change_preference"]!,
            ["workspaceId"] = r["workspace_id"]!.ToString(),
        }.WithoutNulls()).ToArray());
    }

    // ---- jobs ----
    /// <summary>
    /// connections/sync: a sync job of the connection, as the real server creates it (jobs row, config_type sync, scope the
    /// connection id) with one attempt. The stand-in has no worker: the attempt ends at once, succeeded, having moved nothing.
    /// </summary>
    private static async Task<JsonObject> Sync(NpgsqlDataSource db, JsonObject body, CancellationToken ct)
    {
        var connectionId = Id(body, "connectionId");
        var connection = await Connections(db, null, connectionId, ct).ConfigureAwait(false);
        if (connection.Count == 0) throw ApiException.NotFound("StandardSync", connectionId);
        await using var command = db.CreateCommand(
            "WITH job AS (INSERT INTO jobs (config_type, scope, config, status, started_at, created_at, updated_at) " +
            "  VALUES ('sync', @scope, @config, 'succeeded', now(), now(), now()) RETURNING id) " +
            "INSERT INTO attempts (job_id, attempt_number, log_path, output, status, created_at, updated_at, ended_at) " +
            "SELECT id, 0, '/tmp/workspace/' || id || '/0/logs.log', @output, 'succeeded', now(), now(), now() FROM job RETURNING job_id");
        command.Parameters.AddWithValue("scope", connectionId.ToString());
        command.Parameters.Add(new NpgsqlParameter("config", NpgsqlDbType.Jsonb)
        {
            Value = new JsonObject { ["configType"] = "sync", ["sync"] = new JsonObject { ["configuredAirbyteCatalog"] = Catalogs.ToConfigured(connection[0]!["syncCatalog"] as JsonObject) } }.ToJsonString(),
        });
        command.Parameters.Add(new NpgsqlParameter("output", NpgsqlDbType.Jsonb)
        {
            Value = new JsonObject { ["sync"] = new JsonObject { ["standardSyncSummary"] = new JsonObject { ["status"] = "completed", ["recordsSynced"] = 0, ["bytesSynced"] = 0 } } }.ToJsonString(),
        });
        var jobId = (long)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        return (await JobInfo(db, jobId, ct).ConfigureAwait(false))!;
    }

    private static async Task<JsonObject?> JobInfo(NpgsqlDataSource db, long id, CancellationToken ct)
    {
        var jobs = await Jobs(db, "id = @id", p => p.AddWithValue("id", id), "", ct).ConfigureAwait(false);
        if (jobs.Count == 0) return null;
        var (job, attempts) = jobs[0];
        return new JsonObject
        {
            ["job"] = job,
            ["attempts"] = new JsonArray(attempts.Select(a => (JsonNode)new JsonObject { ["attempt"] = a, ["logs"] = new JsonObject { ["logLines"] = new JsonArray() } }).ToArray()),
        };
    }

    private static async Task<JsonObject> ListJobs(NpgsqlDataSource db, JsonObject body, CancellationToken ct)
    {
        var configId = Text(body, "configId");
        var types = (body["configTypes"] as JsonArray ?? throw ApiException.Invalid("configTypes is required.")).Select(t => t!.GetValue<string>()).ToArray();
        var pageSize = body["pagination"]?["pageSize"]?.GetValue<int>() ?? 200;
        var offset = body["pagination"]?["rowOffset"]?.GetValue<int>() ?? 0;
        void Parameters(NpgsqlParameterCollection p)
        {
            p.AddWithValue("scope", configId);
            p.AddWithValue("types", types);
        }
        const string where = "scope = @scope AND config_type::text = ANY(@types)";
        var page = await Jobs(db, where, Parameters, $" LIMIT {pageSize} OFFSET {offset}", ct).ConfigureAwait(false);
        await using var count = db.CreateCommand($"SELECT COUNT(*) FROM jobs WHERE {where}");
        Parameters(count.Parameters);
        var total = (long)(await count.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        return new JsonObject
        {
            ["jobs"] = new JsonArray(page.Select(j => (JsonNode)new JsonObject { ["job"] = j.Job, ["attempts"] = new JsonArray(j.Attempts.ToArray()) }).ToArray()),
            ["totalJobCount"] = total,
        };
    }

    private static async Task<List<(JsonObject Job, List<JsonNode> Attempts)>> Jobs(NpgsqlDataSource db, string where, Action<NpgsqlParameterCollection> parameters, string limit, CancellationToken ct)
    {
        var jobs = await QueryAsync(db, $"SELECT id, config_type::text AS config_type, scope, status::text AS status, created_at, updated_at, started_at FROM jobs WHERE {where} ORDER BY created_at DESC, id DESC{limit}",
            parameters, ct).ConfigureAwait(false);
        var result = new List<(JsonObject, List<JsonNode>)>();
        foreach (var j in jobs)
        {
            var attempts = await QueryAsync(db, "SELECT attempt_number, status::text AS status, created_at, updated_at, ended_at, output FROM attempts WHERE job_id = @id ORDER BY attempt_number",
                p => p.AddWithValue("id", (long)j["id"]!), ct).ConfigureAwait(false);
            var job = new JsonObject
            {
                ["id"] = (long)j["id"]!,
                ["configType"] = (string)j["config_type"]!,
                ["configId"] = (string)j["scope"]!,
                ["createdAt"] = Epoch(j["created_at"]),
                ["updatedAt"] = Epoch(j["updated_at"]),
                ["startedAt"] = j["started_at"] is null ? null : Epoch(j["started_at"]),
                ["status"] = (string)j["status"]!,
            }.WithoutNulls();
            result.Add((job, attempts.Select(a =>
            {
                var summary = Jsonb(a["output"])?["sync"]?["standardSyncSummary"];
                return (JsonNode)new JsonObject
                {
                    ["id"] = (long)(int)a["attempt_number"]!,
                    ["status"] = (string)a["status"]!,
                    ["createdAt"] = Epoch(a["created_at"]),
                    ["updatedAt"] = Epoch(a["updated_at"]),
                    ["endedAt"] = a["ended_at"] is null ? null : Epoch(a["ended_at"]),
                    ["bytesSynced"] = summary?["bytesSynced"]?.GetValue<long>(),
                    ["recordsSynced"] = summary?["recordsSynced"]?.GetValue<long>(),
                }.WithoutNulls();
            }).ToList()));
        }
        return result;
    }

    private static JsonObject WithoutNulls(this JsonObject o)
    {
        foreach (var key in o.Where(p => p.Value is null).Select(p => p.Key).ToList()) o.Remove(key);
        return o;
    }
}
