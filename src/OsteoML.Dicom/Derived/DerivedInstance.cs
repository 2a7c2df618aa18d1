namespace OsteoML.Dicom.Derived;

/// <summary>
/// Who made a derived object and where it goes in the source study: its SOP class and instance, its own series, and
/// the equipment (the software) that created it. <see cref="DerivedHeader.Create"/> turns it into the dataset's header.
/// </summary>
public sealed record DerivedInstance
{
    public required string SopClassUid { get; init; }
    public required string SopInstanceUid { get; init; }
    public required string SeriesInstanceUid { get; init; }
    /// <summary>SR, SEG or OT (PS3.3 §C.7.3.1.1.1).</summary>
    public required string Modality { get; init; }
    public required int SeriesNumber { get; init; }
    public required string SeriesDescription { get; init; }
    public int InstanceNumber { get; init; } = 1;
    public required DateTimeOffset ContentTime { get; init; }
    public required string Manufacturer { get; init; }
    public required string ManufacturerModelName { get; init; }
    public required string SoftwareVersions { get; init; }
    /// <summary>Enhanced General Equipment needs one (Type 1); the software's build serves.</summary>
    public required string DeviceSerialNumber { get; init; }
}
