using OsteoML.Calibration;

namespace OsteoML.Pipelines.Bundles;

/// <summary>What <see cref="SitePhantomProfiles.Read"/> found in a folder of phantom scans.</summary>
/// <param name="Profiles">Every site's phantom profile by site key: the ones passed in, with the new fits merged in.</param>
/// <param name="Fits">Each series read, in series UID order.</param>
/// <param name="Failures">Each series that could not be read, as "UID: reason".</param>
/// <param name="FailedFiles">Files under the folder that are not readable DICOM.</param>
public sealed record PhantomDirectoryReading(IReadOnlyDictionary<string, SitePhantomProfile> Profiles, IReadOnlyList<PhantomSeriesFit> Fits,
    IReadOnlyList<string> Failures, int FailedFiles);
