using OsteoML.Pipelines.Screening;

namespace OsteoML.Results;

/// <summary>One row of the results database: the result and who wrote it, when, and how many times (an upsert counts each write).</summary>
public sealed record StoredResult(string SeriesKey, string BundleSha256, string PartitionKey, int ShardIndex, int ShardCount, string WorkerHost,
    DateTime WrittenAt, int Writes, StudyResult Result);
