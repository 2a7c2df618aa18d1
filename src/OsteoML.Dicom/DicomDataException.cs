namespace OsteoML.Dicom;

/// <summary>A file or dataset that is not valid DICOM, or lacks what was asked of it. The message names the file, tag or syntax.</summary>
public class DicomDataException(string message, Exception? inner = null) : IOException(message, inner);
