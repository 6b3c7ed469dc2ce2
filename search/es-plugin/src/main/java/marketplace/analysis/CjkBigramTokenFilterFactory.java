package marketplace.analysis;

import java.util.List;
import java.util.Locale;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.cjk.CJKBigramFilter;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.BooleanSetting;
import org.elasticsearch.plugin.settings.ListSetting;

/**
 * {@code cjk_bigram}: turns the single-character CJK tokens of the {@code standard} tokenizer into
 * overlapping bigrams ("抗体偶联" becomes "抗体", "体偶", "偶联"); other tokens pass through.
 * Settings: {@code output_unigrams} (default false: also emit the single characters, stacked on the
 * bigrams) and {@code ignored_scripts} (any of han, hiragana, katakana, hangul: leave those alone).
 */
@NamedComponent("cjk_bigram")
public class CjkBigramTokenFilterFactory implements TokenFilterFactory {

    @AnalysisSettings
    public interface Settings {
        @BooleanSetting(path = "output_unigrams", defaultValue = false)
        boolean outputUnigrams();

        @ListSetting(path = "ignored_scripts")
        List<String> ignoredScripts();
    }

    private final int flags;
    private final boolean outputUnigrams;

    @Inject
    public CjkBigramTokenFilterFactory(Settings settings) {
        this.outputUnigrams = settings.outputUnigrams();
        this.flags = flags(settings.ignoredScripts());
    }

    static int flags(List<String> ignoredScripts) {
        int flags = CJKBigramFilter.HAN | CJKBigramFilter.HIRAGANA | CJKBigramFilter.KATAKANA | CJKBigramFilter.HANGUL;
        for (String script : ignoredScripts) {
            flags &= ~switch (script.toLowerCase(Locale.ROOT)) {
                case "han" -> CJKBigramFilter.HAN;
                case "hiragana" -> CJKBigramFilter.HIRAGANA;
                case "katakana" -> CJKBigramFilter.KATAKANA;
                case "hangul" -> CJKBigramFilter.HANGUL;
                default -> throw new IllegalArgumentException(
                    "cjk_bigram: unknown script [" + script + "] in ignored_scripts; expected han, hiragana, katakana or hangul"
                );
            };
        }
        return flags;
    }

    @Override
    public TokenStream create(TokenStream tokenStream) {
        return new CJKBigramFilter(tokenStream, flags, outputUnigrams);
    }
}
