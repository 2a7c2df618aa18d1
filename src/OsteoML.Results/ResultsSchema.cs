using Npgsql;

namespace OsteoML.Results;

/// <summary>
/// The results database's schema, as numbered migrations applied in order on first use. <c>schema_version</c> records
/// each one applied. All run in one transaction under a transaction-scoped advisory lock, so two workers starting
/// together do not both create the tables (the second waits, then finds them), and a failed migration leaves nothing half done.
/// A database newer than this build (a version we do not know) is refused rather than written with an old row shape.
/// </summary>
public static class ResultsSchema
{
    /// <summary>The advisory lock's key: any constant other tools on the same database are unlikely to use ("OSTEOML" in ASCII).</summary>
    public const long MigrationLock = 0x4F_53_54_45_4F_4D_4C;

    /// <summary>The migrations, in order; the list index + 1 is the version. Append, never edit a shipped one.</summary>
    public static readonly IReadOnlyList<string> Migrations =
    [
        // 1: one row per (series key, bundle). The series key is the series UID, or "unreadable:<location under the root>"
        // for an input that gave no usable series (the same key results.jsonl uses). Key columns for queries; the whole
        // result, exactly as the JSON-lines sink writes it, in `result`; partition_key is what the shard hash was taken of
        // (the series UID, else the location), so status can regroup rows for any shard count.
        """
        CREATE TABLE study_results (
            series_key      text             NOT NULL,
            bundle_sha256   text             NOT NULL,
            study_uid       text             NOT NULL,
            series_uid      text             NOT NULL,
            partition_key   text             NOT NULL,
            site_key        text             NOT NULL,
            status          text             NOT NULL,
            bmd             double precision,
            class           text,
            shard_index     integer          NOT NULL,
            shard_count     integer          NOT NULL,
            worker_host     text             NOT NULL,
            osteoml_version text,
            seconds         double precision NOT NULL,
            result          jsonb            NOT NULL,
            first_written   timestamptz      NOT NULL DEFAULT now(),
            written_at      timestamptz      NOT NULL DEFAULT now(),
            writes          integer          NOT NULL DEFAULT 1,
            PRIMARY KEY (series_key, bundle_sha256)
        );
        CREATE INDEX study_results_bundle_status ON study_results (bundle_sha256, status);
        """,
    ];

    public static int Current => Migrations.Count;

    /// <summary>Brings the database to <see cref="Current"/>; returns the version it was at before.</summary>
    public static int Migrate(NpgsqlConnection connection)
    {
        using var transaction = connection.BeginTransaction();
        Execute(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrationLock})");
        Execute(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
        using var read = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM schema_version", connection, transaction);
        var before = Convert.ToInt32(read.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (before > Current)
            throw new ResultsDatabaseException($"the results database has schema version {before}, newer than this osteoml's {Current}: use a newer osteoml");
        for (var version = before + 1; version <= Current; version++)
        {
            Execute(connection, transaction, Migrations[version - 1]);
            using var record = new NpgsqlCommand("INSERT INTO schema_version (version) VALUES ($1)", connection, transaction) { Parameters = { new() { Value = version } } };
            record.ExecuteNonQuery();
        }
        transaction.Commit();
        return before;
    }

    private static void Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        command.ExecuteNonQuery();
    }
}
