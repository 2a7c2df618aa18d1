namespace OsteoML.Dicom.IO;

/// <summary>The regular files found under a folder (ordinal path order, each real file once) and the entries left out.</summary>
public sealed record DirectoryWalk(IReadOnlyList<string> Files, IReadOnlyList<WalkSkip> Skipped);
