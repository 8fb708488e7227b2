import Testing
import ChronosEngine

@Suite struct ScrubTests {
    @Test func secretsAreScrubbed() {
        #expect(Scrub.secrets(in: "cannot fetch 'https://user:tok3n@git.example.com/r.git?private_token=x': 403")
            == "cannot fetch 'https://***@git.example.com/r.git': 403")
        #expect(Scrub.secrets(in: "no credentials here") == "no credentials here")
    }
}
