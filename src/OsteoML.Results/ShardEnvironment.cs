using System.Collections;
using System.Globalization;

namespace OsteoML.Results;

/// <summary>
/// Which shard this worker is, from the command line or the scheduler that started it:
/// <list type="number">
/// <item><c>--shard i/N</c> when given;</item>
/// <item>a Kubernetes Indexed Job's <c>JOB_COMPLETION_INDEX</c> with the count from <c>--shard-count</c> or <c>OSTEOML_SHARD_COUNT</c>
/// (Kubernetes does not tell a pod how many completions there are, so the manifest passes it);</item>
/// <item>a Slurm array's <c>SLURM_ARRAY_TASK_ID</c> − <c>SLURM_ARRAY_TASK_MIN</c> (0 when unset) of <c>SLURM_ARRAY_TASK_COUNT</c>
/// (or <c>--shard-count</c>); arrays must be contiguous (<c>--array=1-8</c>, not <c>1-8:2</c>), or indices leave gaps;</item>
/// <item>otherwise the whole batch (<see cref="Shard.All"/>).</item>
/// </list>
/// Inconsistent values are a <see cref="FormatException"/> naming the variable, never a silent guess: a wrong shard
/// would screen someone else's studies or leave some unscreened.
/// </summary>
public static class ShardEnvironment
{
    public const string KubernetesIndex = "JOB_COMPLETION_INDEX";
    public const string ShardCount = "OSTEOML_SHARD_COUNT";
    public const string SlurmTaskId = "SLURM_ARRAY_TASK_ID";
    public const string SlurmTaskMin = "SLURM_ARRAY_TASK_MIN";
    public const string SlurmTaskCount = "SLURM_ARRAY_TASK_COUNT";

    /// <summary>The process environment as a dictionary (what <see cref="Resolve"/> reads).</summary>
    public static IReadOnlyDictionary<string, string> Current() =>
        Environment.GetEnvironmentVariables().Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal);

    public static Shard Resolve(string? shard, int? shardCount, IReadOnlyDictionary<string, string> environment)
    {
        if (shardCount is < 1) throw new FormatException($"--shard-count must be at least 1, not {shardCount}");
        if (shard is not null)
        {
            var parsed = Shard.Parse(shard);
            if (shardCount is { } n && n != parsed.Count)
                throw new FormatException($"--shard {shard} and --shard-count {n} disagree on the number of shards");
            return parsed;
        }
        var count = shardCount ?? Number(environment, ShardCount);
        if (Number(environment, KubernetesIndex) is { } index)
        {
            if (count is null) throw new FormatException($"{KubernetesIndex} is set but the shard count is not: pass --shard-count N (the Job's completions) or set {ShardCount}");
            return Checked(index, count.Value, KubernetesIndex);
        }
        if (Number(environment, SlurmTaskId) is { } task)
        {
            count ??= Number(environment, SlurmTaskCount)
                      ?? throw new FormatException($"{SlurmTaskId} is set but neither {SlurmTaskCount} nor --shard-count is");
            return Checked(task - (Number(environment, SlurmTaskMin) ?? 0), count.Value, SlurmTaskId);
        }
        return count is { } alone ? throw new FormatException($"--shard-count {alone} without a shard index: pass --shard i/N, or run under a Kubernetes Indexed Job ({KubernetesIndex}) or a Slurm array ({SlurmTaskId})") : Shard.All;
    }

    private static Shard Checked(int index, int count, string source) =>
        count >= 1 && index >= 0 && index < count
            ? new Shard(index, count)
            : throw new FormatException($"{source} gives shard index {index}, outside 0..{count - 1} of {count} shard(s)");

    private static int? Number(IReadOnlyDictionary<string, string> environment, string name)
    {
        if (!environment.TryGetValue(name, out var text) || text.Length == 0) return null;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"{name}='{text}' is not a non-negative whole number");
    }
}
