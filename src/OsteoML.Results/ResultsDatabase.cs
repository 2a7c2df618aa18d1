using System.Net.Sockets;
using System.Text.Json;
using Npgsql;
using OsteoML.Pipelines.Screening;

namespace OsteoML.Results;

/// <summary>
/// A PostgreSQL database holding screening results (<see cref="ResultsSchema"/>), migrated on open. Thread-safe: each
/// operation takes a pooled connection. Every database error surfaces as a <see cref="ResultsDatabaseException"/>
/// naming the database by <see cref="ResultsDatabaseLocation.Display"/> (never its password).
/// </summary>
public sealed class ResultsDatabase : IDisposable
{
    private readonly NpgsqlDataSource _source;

    private ResultsDatabase(ResultsDatabaseLocation location, NpgsqlDataSource source)
    {
        Location = location;
        _source = source;
    }

    public ResultsDatabaseLocation Location { get; }

    /// <summary>The schema version the database was at before this open (0: it was empty).</summary>
    public int SchemaVersionBefore { get; private set; }

    /// <summary>Connects and migrates the schema to <see cref="ResultsSchema.Current"/>.</summary>
    public static ResultsDatabase Open(ResultsDatabaseLocation location)
    {
        var database = new ResultsDatabase(location, NpgsqlDataSource.Create(location.ConnectionString));
        try
        {
            database.SchemaVersionBefore = database.Run(connection => ResultsSchema.Migrate(connection));
            return database;
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    /// <summary>Runs <paramref name="work"/> on a pooled connection, translating database failures into one clear exception.</summary>
    internal T Run<T>(Func<NpgsqlConnection, T> work)
    {
        try
        {
            using var connection = _source.OpenConnection();
            return work(connection);
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
        {
            throw new ResultsDatabaseException($"results database {Location.Display}: {ex.Message}", ex);
        }
    }

    /// <summary>The series keys already stored for a bundle (what a resumed worker skips).</summary>
    public HashSet<string> Keys(string bundleSha256) => Run(connection =>
    {
        using var command = new NpgsqlCommand("SELECT series_key FROM study_results WHERE bundle_sha256 = $1", connection) { Parameters = { new() { Value = bundleSha256 } } };
        using var reader = command.ExecuteReader();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read()) keys.Add(reader.GetString(0));
        return keys;
    });

    /// <summary>The bundles with results, most recently written first.</summary>
    public IReadOnlyList<string> Bundles() => Run(connection =>
    {
        using var command = new NpgsqlCommand("SELECT bundle_sha256 FROM study_results GROUP BY bundle_sha256 ORDER BY max(written_at) DESC", connection);
        using var reader = command.ExecuteReader();
        var bundles = new List<string>();
        while (reader.Read()) bundles.Add(reader.GetString(0));
        return bundles;
    });

    /// <summary>
    /// Writes one study's result in its own transaction: inserted, or — when this series already has a row for this bundle
    /// (a rerun, or two workers given the same shard) — updated in place, so there is never a second row.
    /// </summary>
    public void Upsert(string seriesKey, string partitionKey, StudyResult result, Shard shard, string workerHost)
    {
        if (result.BundleSha256 is not { Length: > 0 } bundle) throw new ArgumentException("a stored result needs the bundle that made it", nameof(result));
        Run(connection =>
        {
            using var transaction = connection.BeginTransaction();
            using var command = new NpgsqlCommand(
                """
                INSERT INTO study_results (series_key, bundle_sha256, study_uid, series_uid, partition_key, site_key, status, bmd, class,
                                           shard_index, shard_count, worker_host, osteoml_version, seconds, result)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::jsonb)
                ON CONFLICT (series_key, bundle_sha256) DO UPDATE SET
                    study_uid = EXCLUDED.study_uid, series_uid = EXCLUDED.series_uid, partition_key = EXCLUDED.partition_key,
                    site_key = EXCLUDED.site_key, status = EXCLUDED.status, bmd = EXCLUDED.bmd, class = EXCLUDED.class,
                    shard_index = EXCLUDED.shard_index, shard_count = EXCLUDED.shard_count, worker_host = EXCLUDED.worker_host,
                    osteoml_version = EXCLUDED.osteoml_version, seconds = EXCLUDED.seconds, result = EXCLUDED.result,
                    written_at = now(), writes = study_results.writes + 1
                """, connection, transaction);
            object?[] values =
            [
                seriesKey, bundle, result.StudyInstanceUid, result.SeriesInstanceUid, partitionKey, result.SiteKey, result.Status.Name(), result.Bmd, result.Class,
                shard.Index, shard.Count, workerHost, result.OsteomlVersion, result.Seconds, JsonSerializer.Serialize(result, StudyResult.Json),
            ];
            foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
            command.ExecuteNonQuery();
            transaction.Commit();
            return 0;
        });
    }

    /// <summary>Every stored result (of one bundle, or all), in series-key order.</summary>
    public IReadOnlyList<StoredResult> Read(string? bundleSha256 = null) => Run(connection =>
    {
        using var command = new NpgsqlCommand(
            """
            SELECT series_key, bundle_sha256, partition_key, shard_index, shard_count, worker_host, written_at, writes, result::text
            FROM study_results WHERE $1::text IS NULL OR bundle_sha256 = $1 ORDER BY series_key, bundle_sha256
            """, connection) { Parameters = { new() { Value = (object?)bundleSha256 ?? DBNull.Value } } };
        using var reader = command.ExecuteReader();
        var rows = new List<StoredResult>();
        while (reader.Read())
            rows.Add(new StoredResult(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetString(5),
                reader.GetDateTime(6), reader.GetInt32(7), JsonSerializer.Deserialize<StudyResult>(reader.GetString(8), StudyResult.Json)!));
        return rows;
    });

    /// <summary>
    /// Done / failed / pending per shard of <paramref name="shardCount"/> for one bundle. Rows are regrouped by their partition
    /// key (not the shard that wrote them), so the answer holds for any shard count; pending needs the studies under the root.
    /// </summary>
    public IReadOnlyList<ShardStatus> Status(string bundleSha256, int shardCount, IReadOnlyCollection<ShardedStudy>? expected)
    {
        var rows = Run(connection =>
        {
            using var command = new NpgsqlCommand("SELECT series_key, partition_key, status FROM study_results WHERE bundle_sha256 = $1", connection)
                { Parameters = { new() { Value = bundleSha256 } } };
            using var reader = command.ExecuteReader();
            var list = new List<(string Key, int Shard, bool Failed)>();
            while (reader.Read()) list.Add((reader.GetString(0), Shard.Of(reader.GetString(1), shardCount), reader.GetString(2) == StudyStatus.Failed.Name()));
            return list;
        });
        var stored = rows.Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
        return Enumerable.Range(0, shardCount).Select(shard => new ShardStatus(shard,
            rows.Count(r => r.Shard == shard && !r.Failed),
            rows.Count(r => r.Shard == shard && r.Failed),
            expected?.Count(s => !stored.Contains(s.SeriesKey) && Shard.Of(s.PartitionKey, shardCount) == shard))).ToList();
    }

    public void Dispose() => _source.Dispose();
}
