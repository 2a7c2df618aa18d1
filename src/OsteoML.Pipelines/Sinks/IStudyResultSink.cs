using OsteoML.Pipelines.Screening;

namespace OsteoML.Pipelines.Sinks;

/// <summary>
/// Where a screened study goes: the results folder (JSON lines + CSV), the QA image, the DICOM objects (and DICOMweb),
/// a database. The chain ends in a list of sinks (<see cref="StudyResultSinks"/>), so a new destination is one class
/// and no command changes. <see cref="Write"/> may be called from several threads at once (batch screens in parallel).
/// </summary>
public interface IStudyResultSink : IDisposable
{
    /// <summary>Takes one study. Throwing stops the run before the study is recorded as done, so a rerun screens it again.</summary>
    void Write(ScreenedStudy screened);

    /// <summary>After the last study: what is derived from all of them (results.csv) is written here.</summary>
    void Complete();
}
