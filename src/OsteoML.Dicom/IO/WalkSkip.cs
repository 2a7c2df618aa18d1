namespace OsteoML.Dicom.IO;

/// <summary>An entry a directory walk left out, and why.</summary>
public sealed record WalkSkip(string Path, WalkSkipReason Reason);
