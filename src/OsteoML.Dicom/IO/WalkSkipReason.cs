namespace OsteoML.Dicom.IO;

/// <summary>Why <see cref="DirectoryWalker"/> left an entry out.</summary>
public enum WalkSkipReason
{
    /// <summary>A symbolic link whose target lies outside the folder walked (e.g. to /etc or ../other-patient).</summary>
    LinkOutsideTree,
    /// <summary>A folder or file already reached by another path: a link cycle (a link to "." or a parent) or a second link.</summary>
    AlreadyVisited,
    /// <summary>A FIFO, socket or device: opening or reading one can block forever or never end.</summary>
    NotRegularFile,
    /// <summary>A dangling link, or a folder that could not be listed (permissions, vanished during the walk).</summary>
    Unreadable,
    /// <summary>Nested deeper than <see cref="DirectoryWalker.MaxDepth"/> folders.</summary>
    TooDeep,
}
