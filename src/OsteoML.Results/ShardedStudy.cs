namespace OsteoML.Results;

/// <summary>
/// A study as the scale-out layer sees it: the key its result is stored under (series UID, or a marker of the location for
/// an input that gave none) and the key its shard is computed from (<see cref="Shard.PartitionKey"/>).
/// </summary>
public sealed record ShardedStudy(string SeriesKey, string PartitionKey);
