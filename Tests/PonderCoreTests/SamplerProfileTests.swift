import PonderCore
import Testing

/// Sampler layers: the first layer that sets a field wins and names its source.
struct SamplerProfileTests {
    @Test func theFirstLayerThatSetsAFieldWins() {
        let gguf = SamplerSettings(temperature: 0.5, topK: 7)
        let family = SamplerSettings(temperature: 0.2, topK: 0, topP: 0.9, minP: 0)
        let defaults = SamplerSettings(temperature: 0.8, topK: 40, topP: 0.95, minP: 0.05, repeatPenalty: 1.1, repeatLastN: 64)
        let profile = SamplerProfile.layered([(gguf, .gguf), (family, .family), (defaults, .builtIn)])
        #expect(profile.settings == SamplerSettings(
            temperature: 0.5, topK: 7, topP: 0.9, minP: 0, repeatPenalty: 1.1, repeatLastN: 64))
        #expect(profile.sources == [.temperature: .gguf, .topK: .gguf, .topP: .family, .minP: .family,
                                    .repeatPenalty: .builtIn, .repeatLastN: .builtIn])

        let user = SamplerSettings(temperature: 1.1, seed: 3)
        let effective = profile.under(user, sources: [.temperature: .command, .seed: .flag])
        #expect(effective.settings.temperature == 1.1 && effective.sources[.temperature] == .command)
        #expect(effective.settings.seed == 3 && effective.sources[.seed] == .flag)
        #expect(effective.settings.topK == 7 && effective.sources[.topK] == .gguf)
    }

    @Test func linesSayWhereEachValueCameFrom() {
        let profile = SamplerProfile.layered([(SamplerSettings(temperature: 0.2, topK: 40, topP: 0.9, minP: 0,
                                                               repeatPenalty: 1.1, repeatLastN: 64), .family)])
        let lines = profile.lines(remote: false)
        #expect(lines.first == "temp          0.2       family table")
        #expect(lines.last == "seed          random    a new one per reply")
        let remote = SamplerProfile().under(SamplerSettings(topK: 20), sources: [.topK: .config]).lines(remote: true)
        #expect(remote[0] == "temp          -         server default")
        #expect(remote[1] == "top-k         20        config")
    }

    @Test func fieldNamesAndValuesAreCheckedWhenParsed() {
        #expect(SamplerField(name: "temperature") == .temperature && SamplerField(name: "top_k") == .topK)
        #expect(SamplerField(name: "repeat-penalty") == .repeatPenalty && SamplerField(name: "last_n") == .repeatLastN)
        #expect(SamplerField(name: "mirostat") == nil)
        var layer = SamplerSettings()
        #expect(!SamplerField.temperature.parse("-1", into: &layer) && layer.isEmpty)
        #expect(!SamplerField.topP.parse("nan", into: &layer) && layer.isEmpty)
        #expect(SamplerField.repeatPenalty.parse("1.1", into: &layer) && layer.repeatPenalty == 1.1)
    }
}
