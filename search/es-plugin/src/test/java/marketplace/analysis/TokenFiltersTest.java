package marketplace.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.junit.jupiter.api.Test;

/** Each filter in the chain it is meant for: standard tokenizer, lowercase, then the filter(s). */
class TokenFiltersTest {

    @Test
    void englishPossessiveThenPorterStem() {
        var possessive = new EnglishPossessiveTokenFilterFactory();
        var stem = new PorterStemTokenFilterFactory();
        assertEquals(
            List.of("run", "toxicologist", "studi"),
            terms("Running toxicologist's studies", ts -> stem.create(possessive.create(ts)))
        );
    }

    @Test
    void cjkWidthAndBigrams() {
        var width = new CjkWidthTokenFilterFactory();
        var bigram = new CjkBigramTokenFilterFactory(bigramSettings(false, List.of()));
        assertEquals(
            List.of("抗体", "体偶", "偶联", "联药", "药物", "adc"),
            terms("抗体偶联药物 ＡＤＣ", ts -> bigram.create(width.create(ts)))
        );
        var withUnigrams = new CjkBigramTokenFilterFactory(bigramSettings(true, List.of()));
        assertEquals(List.of("抗", "抗体", "体"), terms("抗体", withUnigrams::create));
        var hanIgnored = new CjkBigramTokenFilterFactory(bigramSettings(false, List.of("han")));
        assertEquals(List.of("抗", "体"), terms("抗体", hanIgnored::create));
        assertThrows(IllegalArgumentException.class, () -> new CjkBigramTokenFilterFactory(bigramSettings(false, List.of("latin"))));
    }

    @Test
    void asciiFolding() {
        var fold = new AsciiFoldingTokenFilterFactory(() -> false);
        assertEquals(List.of("cafe", "naive"), terms("Café naïve", fold::create));
        var keep = new AsciiFoldingTokenFilterFactory(() -> true);
        assertEquals(List.of("cafe", "café"), terms("Café", keep::create));
    }

    @Test
    void edgeNGram() {
        var edge = new EdgeNGramTokenFilterFactory(edgeSettings(2, 4));
        assertEquals(List.of("to", "tox", "toxi", "ad", "adc"), terms("Toxicology ADC", edge::create));
        assertThrows(IllegalArgumentException.class, () -> new EdgeNGramTokenFilterFactory(edgeSettings(3, 2)));
    }

    @Test
    void synonymsAcrossEnglishAndChinese() {
        var synonyms = synonymFilter(List.of("adc, antibody-drug conjugate, 抗体偶联药物"), true, false);
        var bigram = new CjkBigramTokenFilterFactory(bigramSettings(false, List.of()));
        Function<TokenStream, TokenStream> chain = ts -> synonyms.create(bigram.create(ts));
        List<String> fromAdc = terms("ADC", chain);
        assertTrue(fromAdc.containsAll(List.of("adc", "antibody", "drug", "conjugate", "抗体", "体偶", "偶联", "联药", "药物")), fromAdc.toString());
        List<String> fromChinese = terms("抗体偶联药物", chain);
        assertTrue(fromChinese.containsAll(List.of("adc", "antibody", "抗体", "药物")), fromChinese.toString());
        List<String> fromEnglish = terms("Antibody-Drug Conjugate", chain);
        assertTrue(fromEnglish.containsAll(List.of("adc", "抗体")), fromEnglish.toString());
        assertEquals(List.of("unrelated"), terms("unrelated", chain));
    }

    @Test
    void synonymOptions() {
        var contract = synonymFilter(List.of("adc, antibody-drug conjugate"), false, false);
        assertEquals(List.of("adc"), terms("antibody drug conjugate", contract::create));
        var noRules = synonymFilter(List.of(), true, false);
        assertEquals(List.of("adc"), terms("adc", noRules::create));
        assertThrows(IllegalArgumentException.class, () -> synonymFilter(List.of("adc, ---"), true, false));
        var lenient = synonymFilter(List.of("adc, ---, conjugate"), true, true);
        assertTrue(terms("adc", lenient::create).contains("conjugate"));
    }

    // --- helpers ---

    private static SynonymGraphTokenFilterFactory synonymFilter(List<String> rules, boolean expand, boolean lenient) {
        return new SynonymGraphTokenFilterFactory(new SynonymGraphTokenFilterFactory.Settings() {
            public List<String> synonyms() { return rules; }
            public boolean expand() { return expand; }
            public boolean lenient() { return lenient; }
        });
    }

    private static CjkBigramTokenFilterFactory.Settings bigramSettings(boolean unigrams, List<String> ignored) {
        return new CjkBigramTokenFilterFactory.Settings() {
            public boolean outputUnigrams() { return unigrams; }
            public List<String> ignoredScripts() { return ignored; }
        };
    }

    private static EdgeNGramTokenFilterFactory.Settings edgeSettings(int min, int max) {
        return new EdgeNGramTokenFilterFactory.Settings() {
            public int minGram() { return min; }
            public int maxGram() { return max; }
            public boolean preserveOriginal() { return false; }
        };
    }

    /** The terms of standard tokenizer + lowercase + filters, in order (stacked tokens included). */
    private static List<String> terms(String text, Function<TokenStream, TokenStream> filters) {
        Analyzer analyzer = new Analyzer() {
            @Override
            protected TokenStreamComponents createComponents(String field) {
                Tokenizer tokenizer = new StandardTokenizer();
                return new TokenStreamComponents(tokenizer, filters.apply(new LowerCaseFilter(tokenizer)));
            }
        };
        List<String> out = new ArrayList<>();
        try (analyzer; TokenStream ts = analyzer.tokenStream("f", text)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            ts.addAttribute(PositionIncrementAttribute.class);
            ts.reset();
            while (ts.incrementToken()) {
                out.add(term.toString());
            }
            ts.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
