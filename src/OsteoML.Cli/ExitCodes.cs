namespace OsteoML.Cli;

/// <summary>Process exit codes of <c>osteoml</c>; the README documents them for scripts.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Usage = 2;
    /// <summary>A batch-style command carried on past inputs that failed; each is recorded in its output.</summary>
    public const int SomeInputsFailed = 3;
    /// <summary>
    /// Stopped by Ctrl-C or SIGTERM after finishing the studies in hand (128 + SIGINT, the shell's convention): the work
    /// done is recorded, the rest is not, and rerunning the same command resumes. Not 0, so a scheduler does not take
    /// an interrupted shard for a finished one.
    /// </summary>
    public const int Stopped = 130;
}
