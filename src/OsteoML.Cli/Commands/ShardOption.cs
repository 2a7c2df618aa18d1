using System.CommandLine;
using OsteoML.Pipelines.Studies;
using OsteoML.Results;

namespace OsteoML.Cli.Commands;

/// <summary>
/// <c>--shard i/N</c> and <c>--shard-count N</c> of <c>batch</c>, falling back to the scheduler's environment
/// (<see cref="ShardEnvironment"/>). Resolved while parsing, so a bad shard is a usage error (exit 2) before anything is loaded.
/// </summary>
internal sealed class ShardOption
{
    private readonly Option<string?> _shard = new("--shard")
    {
        Description = "Screen only shard i of N (0-based, e.g. 2/8): the studies whose series UID hashes to i. Default: from JOB_COMPLETION_INDEX "
                      + "(Kubernetes Indexed Job, with --shard-count) or SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT (Slurm array), else all studies.",
    };

    private readonly Option<int?> _count = new("--shard-count")
    {
        Description = "The number of shards N when the index comes from the scheduler (JOB_COMPLETION_INDEX); also read from OSTEOML_SHARD_COUNT.",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(_shard);
        command.Options.Add(_count);
        command.Validators.Add(result =>
        {
            try { Resolve(result.GetValue(_shard), result.GetValue(_count)); }
            catch (FormatException ex) { result.AddError(ex.Message); }
        });
    }

    public Shard Resolve(ParseResult parseResult) => Resolve(parseResult.GetValue(_shard), parseResult.GetValue(_count));

    private static Shard Resolve(string? shard, int? count) => ShardEnvironment.Resolve(shard, count, ShardEnvironment.Current());

    /// <summary>The partition key of a study found by the source (its series UID).</summary>
    public static string KeyOf(StudyRow study) => Shard.PartitionKey(study.SeriesInstanceUid, study.SeriesPath);

    /// <summary>The partition key of an input that gave no usable series: its UID when the header said one, else where it was found.</summary>
    public static string KeyOf(StudySourceFailure failure) => Shard.PartitionKey(failure.SeriesInstanceUid, failure.Location);

    /// <summary>Tells stderr which part of the batch this worker takes (nothing for an unsharded batch).</summary>
    public static void Report(CliContext context, Shard shard, int owned, int total)
    {
        if (shard.Count > 1) context.Error.WriteLine($"shard {shard}: {owned} of {total} input(s)");
    }
}
