using OsteoML.Pipelines.Screening;
using OsteoML.Pipelines.Sinks;

namespace OsteoML.Results;

/// <summary>
/// One batch worker's view of the results database, shaped like the batch's folder store: <see cref="Contains"/> (resume:
/// the series already stored for this bundle, read once at open), <see cref="Append"/> (one upsert transaction per study,
/// stamped with the bundle's provenance, the shard and this host). As a result sink it goes last in a batch's sinks: with
/// <c>--results</c> the database, not the worker's folder, is the record of what is done. Thread-safe.
/// </summary>
public sealed class PostgresResultStore : IStudyResultSink
{
    private readonly ResultsDatabase _database;
    private readonly ResultProvenance _provenance;
    private readonly HashSet<string> _done;
    private readonly Lock _gate = new();

    private PostgresResultStore(ResultsDatabase database, ResultProvenance provenance, Shard shard, string workerHost)
    {
        _database = database;
        _provenance = provenance;
        Shard = shard;
        WorkerHost = workerHost;
        _done = database.Keys(provenance.BundleSha256);
        Resumed = _done.Count;
    }

    /// <summary>Connects (migrating the schema on first use) and reads which series this bundle already has.</summary>
    public static PostgresResultStore Open(ResultsDatabaseLocation location, ResultProvenance provenance, Shard shard, string? workerHost = null)
    {
        var database = ResultsDatabase.Open(location);
        try
        {
            return new PostgresResultStore(database, provenance, shard, workerHost ?? Environment.MachineName);
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    public ResultsDatabaseLocation Location => _database.Location;
    public int SchemaVersionBefore => _database.SchemaVersionBefore;
    public Shard Shard { get; }
    public string WorkerHost { get; }

    /// <summary>Results of this bundle in the database when the worker started (all shards).</summary>
    public int Resumed { get; }

    /// <summary>Results this worker wrote.</summary>
    public int Written { get; private set; }

    /// <summary>Wall time spent in <see cref="Append"/> (connection, upsert, commit): the database's cost per study, for the log.</summary>
    public TimeSpan WriteTime { get; private set; }

    public bool Contains(string seriesKey)
    {
        lock (_gate) return _done.Contains(seriesKey);
    }

    /// <summary>Stores a result (stamped with the bundle's provenance when it carries none, like the folder store).</summary>
    public void Append(string seriesKey, string partitionKey, StudyResult result)
    {
        if (result.BundleSha256 is null) result = _provenance.Stamp(result);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        _database.Upsert(seriesKey, partitionKey, result, Shard, WorkerHost);
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        lock (_gate)
        {
            _done.Add(seriesKey);
            Written++;
            WriteTime += elapsed;
        }
    }

    /// <summary>Stores a screened study under its series UID, partitioned by the same key the shards use.</summary>
    public void Write(ScreenedStudy screened) =>
        Append(screened.Study.SeriesInstanceUid, Shard.PartitionKey(screened.Study.SeriesInstanceUid, screened.Study.SeriesPath), screened.Result);

    /// <summary>Nothing is buffered: each study was committed as it finished.</summary>
    public void Complete() { }

    public void Dispose() => _database.Dispose();
}
