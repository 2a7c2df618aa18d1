namespace OsteoML.Pipelines.Screening;

/// <summary>The written name of a <see cref="StudyStatus"/> (<c>ok</c>, <c>refused</c>, <c>failed</c>), as JSON, CSV, file names and the SR carry it.</summary>
public static class StudyStatusNames
{
    public static string Name(this StudyStatus status) => status switch
    {
        StudyStatus.Ok => "ok",
        StudyStatus.Refused => "refused",
        StudyStatus.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}
