namespace OsteoML.Pipelines.Watching;

/// <summary>How a <see cref="StudyWatcher"/> polls and retries.</summary>
public sealed record WatchOptions
{
    /// <summary>
    /// Earliest StudyDate asked for, on every poll. Null: from the day before the last poll (a study acquired before midnight
    /// often arrives after it), or from yesterday on the first poll — never the whole archive by accident.
    /// </summary>
    public DateOnly? Since { get; init; }

    /// <summary>Series recorded as failed are tried once more in this run (after the network or the PACS was fixed).</summary>
    public bool RetryFailed { get; init; }

    /// <summary>Tries of each DICOMweb call (QIDO-RS, WADO-RS, STOW-RS) before the series is recorded as failed.</summary>
    public int Attempts { get; init; } = 3;

    /// <summary>Wait before the second try; doubled before each further one.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The local date, for the StudyDate window (scanners write local dates). Replaceable in tests.</summary>
    public Func<DateOnly> Today { get; init; } = () => DateOnly.FromDateTime(DateTime.Now);
}
