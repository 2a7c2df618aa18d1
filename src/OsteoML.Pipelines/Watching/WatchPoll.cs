namespace OsteoML.Pipelines.Watching;

/// <summary>What one poll did: studies the PACS listed, and the CT series screened (by outcome) or skipped as already done.</summary>
public sealed record WatchPoll(DateOnly Since, int Studies, int AlreadyDone, int Ok, int Refused, int Failed, bool Cancelled)
{
    public int Screened => Ok + Refused + Failed;
}
