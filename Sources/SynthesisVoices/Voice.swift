/// Where a voice's output is mixed: each bus gets its own level, sidechain ducking and effect sends.
package enum Bus: Int, CaseIterable {
    /// Kick, hats, shakers: dry.
    case drums
    /// Snares, claps, rims, toms: dry plus a little reverb.
    case drumsWet
    case bass
    case chords
    case lead
}

/// One sounding note or hit, rendered block by block by the mixer.
///
/// Voices are created a bar ahead of time by the parts and live only while they sound, so memory stays constant
/// however long the track. A voice keeps its own oscillator and filter state between blocks.
package protocol Voice: AnyObject {
    /// Absolute sample index of the voice's first sample.
    var start: Int { get }
    var bus: Bus { get }
    /// Adds the voice's next `count` samples into `out`; returns false once it has finished for good.
    func render(into out: UnsafeMutablePointer<Float>, count: Int) -> Bool
}
