using System.Globalization;

namespace OsteoML.Dicom.Derived;

/// <summary>
/// The header every derived object shares: the Patient, Patient Study and General Study modules copied from the source
/// image (so the object files into the same patient and study in a PACS), a new series, the instance, the equipment and
/// the SOP Common module. The patient's identity is copied into the DICOM object only — never printed or logged.
/// </summary>
public static class DerivedHeader
{
    /// <summary>Patient (PS3.3 §C.7.1.1), Patient Study (§C.7.2.2) and General Study (§C.7.2.1) attributes copied as the source holds them.</summary>
    public static readonly IReadOnlyList<DicomTag> CopiedFromSource =
    [
        DicomTag.PatientName, DicomTag.PatientID, DicomTag.IssuerOfPatientID, DicomTag.IssuerOfPatientIDQualifiersSequence, DicomTag.TypeOfPatientID,
        DicomTag.PatientBirthDate, DicomTag.PatientBirthTime, DicomTag.PatientSex, DicomTag.OtherPatientIDsSequence, DicomTag.OtherPatientNames,
        DicomTag.EthnicGroup, DicomTag.PatientComments, DicomTag.PatientIdentityRemoved, DicomTag.DeidentificationMethod,
        DicomTag.DeidentificationMethodCodeSequence, DicomTag.QualityControlSubject,
        DicomTag.PatientAge, DicomTag.PatientSize, DicomTag.PatientWeight,
        DicomTag.StudyInstanceUID, DicomTag.StudyDate, DicomTag.StudyTime, DicomTag.ReferringPhysicianName, DicomTag.StudyID,
        DicomTag.AccessionNumber, DicomTag.IssuerOfAccessionNumberSequence, DicomTag.StudyDescription, DicomTag.ProcedureCodeSequence,
    ];

    /// <summary>Type 2 attributes of those modules: present, empty when the source lacks them.</summary>
    private static readonly DicomTag[] RequiredEvenIfEmpty =
    [
        DicomTag.PatientName, DicomTag.PatientID, DicomTag.PatientBirthDate, DicomTag.PatientSex,
        DicomTag.StudyDate, DicomTag.StudyTime, DicomTag.ReferringPhysicianName, DicomTag.StudyID, DicomTag.AccessionNumber,
    ];

    public static DicomDataset Create(DicomDataset source, DerivedInstance instance)
    {
        var ds = new DicomDataset();
        // The copied text keeps the source's bytes, so it keeps the source's character set; what we add is ASCII.
        ds.Add(DicomTag.SpecificCharacterSet, source.GetStringOrDefault(DicomTag.SpecificCharacterSet, "ISO_IR 192")!);
        foreach (var tag in CopiedFromSource)
        {
            switch (source.Find(tag))
            {
                case DicomSequence sequence:
                    ds.Add(new DicomSequence(tag, sequence.Items.Select(i => i.Clone())));
                    break;
                case DicomElement element:
                    ds.Add(element);
                    break;
            }
        }
        foreach (var tag in RequiredEvenIfEmpty.Where(t => !ds.Contains(t)))
            ds.Add(tag, Array.Empty<string>());

        var date = instance.ContentTime.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var time = instance.ContentTime.UtcDateTime.ToString("HHmmss.ffffff", CultureInfo.InvariantCulture);
        ds.Add(DicomTag.SOPClassUID, instance.SopClassUid);
        ds.Add(DicomTag.SOPInstanceUID, instance.SopInstanceUid);
        ds.Add(DicomTag.InstanceCreationDate, date);
        ds.Add(DicomTag.InstanceCreationTime, time);
        // Dates and times are UTC: say so (Timezone Offset From UTC, PS3.3 §C.12.1.1.8).
        ds.Add(DicomTag.TimezoneOffsetFromUTC, "+0000");
        ds.Add(DicomTag.SeriesDate, date);
        ds.Add(DicomTag.SeriesTime, time);
        ds.Add(DicomTag.ContentDate, date);
        ds.Add(DicomTag.ContentTime, time);
        ds.Add(DicomTag.Modality, instance.Modality);
        ds.Add(DicomTag.Manufacturer, instance.Manufacturer);
        ds.Add(DicomTag.ManufacturerModelName, instance.ManufacturerModelName);
        ds.Add(DicomTag.DeviceSerialNumber, instance.DeviceSerialNumber);
        ds.Add(DicomTag.SoftwareVersions, instance.SoftwareVersions);
        ds.Add(DicomTag.SeriesDescription, instance.SeriesDescription);
        ds.Add(DicomTag.SeriesInstanceUID, instance.SeriesInstanceUid);
        ds.Add(DicomTag.SeriesNumber, instance.SeriesNumber);
        ds.Add(DicomTag.InstanceNumber, instance.InstanceNumber);
        return ds;
    }

    /// <summary>Hierarchical SOP Instance Reference Macro (PS3.3 Table C.17-3): references grouped by study and series.</summary>
    public static DicomDataset[] Evidence(IEnumerable<(string Study, string Series, string SopClass, string SopInstance)> references) =>
        references.GroupBy(r => r.Study, StringComparer.Ordinal).Select(study =>
        {
            var item = new DicomDataset();
            item.Add(DicomTag.ReferencedSeriesSequence, [.. study.GroupBy(r => r.Series, StringComparer.Ordinal).Select(series =>
            {
                var s = new DicomDataset();
                s.Add(DicomTag.ReferencedSOPSequence, [.. series.DistinctBy(r => r.SopInstance).Select(r =>
                {
                    var sop = new DicomDataset();
                    sop.Add(DicomTag.ReferencedSOPClassUID, r.SopClass);
                    sop.Add(DicomTag.ReferencedSOPInstanceUID, r.SopInstance);
                    return sop;
                })]);
                s.Add(DicomTag.SeriesInstanceUID, series.Key);
                return s;
            })]);
            item.Add(DicomTag.StudyInstanceUID, study.Key);
            return item;
        }).ToArray();
}
