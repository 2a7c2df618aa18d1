namespace OsteoML.Dicom.Sr;

/// <summary>The value types of SR content items this library writes (PS3.3 §C.17.3.2.1, Value Type (0040,A040)).</summary>
public enum SrValueType
{
    Container,
    Text,
    Code,
    Num,
    UidRef,
    Image,
    Composite,
}
