import HuojuText

/// Recognises zone names the gazetteer does not have: a name followed by a zone suffix
/// (`宜宾高新区`, `某某高新技术产业开发区`, `某某科学城`, `苏州相城工业园区`).
///
/// The suffix is easy; where the name starts, and whether there is a name at all, is not: the
/// same suffixes follow generic words and phrases all the time (`国家高新区`, `推动高新区发展`,
/// `方式高新区`, `现代化高新区`). Two kinds of names come out:
/// - **place names**, accepted wherever they stand: what stands before the suffix ends in a
///   chain of administrative divisions (`宜宾`, `昆山市`, `苏州相城`; `Places`) that starts at
///   a boundary (`placeChain`). The name is the chain.
/// - **candidates**, which need more evidence (`ZoneRecognizer.zones(…)`): the longest run of
///   2–6 ideographs before the suffix that
///   - starts at a boundary: the start of the text, punctuation or a space (not a digit: units
///     and counters follow digits), or right after a boundary word (`在`, `的`, `推动`, `走进`,
///     `进一步` …), and starts with none itself (except single characters that begin place
///     names: `和田`, `于都`);
///   - holds no generic word and no multi-character boundary word (`国家`, `省级`, `西部`, `各`,
///     `新时代`, `现代化`, `召开` …), and does not end with a particle (`的`, `等` …);
///   - for the weak suffixes (`示范区`, `自创区`, `工业园区`), which follow descriptions far more
///     often than names (`承接产业转移示范区`), starts with a known place.
///   A candidate that starts a clause and is followed by an organisation word
///   (`。某某科学城管委会`) is an organisation and accepted as such.
/// A name that is a gazetteer list name (plus an optional `市`) before a high-tech-zone suffix
/// is that zone (`洛阳市高新区` → 洛阳高新区, `江苏常熟高新区` → 常熟高新区), not an unlisted one.
struct UnlistedNames: Sendable {
    struct Suffix: Sendable {
        var text: [Unicode.Scalar]
        /// The suffix as the zone's name ends: without a leading `国家`.
        var display: String
        var weak: Bool
        /// A suffix of the 高新区 family, under which a list name means its zone.
        var highTech: Bool
        /// Whether a place before it makes a name (`苏州相城工业园区`). Not for demonstration zones:
        /// every national one is in the gazetteer, and a place before `示范区` is nearly always
        /// part of a description (`…建设广州示范区`).
        var placeNames = true
    }

    static let suffixes: [Suffix] = {
        let strong = ["高新技术产业开发区", "高新技术产业园区", "高新技术开发区", "高新区", "农业高新技术产业示范区", "农高区", "科学城"]
        let weak = ["自主创新示范区", "自创区", "示范区", "工业园区"]
        var all: [Suffix] = []
        for text in strong {
            let highTech = text.hasPrefix("高新")
            all.append(Suffix(text: Array(text.unicodeScalars), display: text, weak: false, highTech: highTech))
            // `某某国家高新区`: the name stops before 国家.
            all.append(Suffix(text: Array(("国家" + text).unicodeScalars), display: text, weak: false, highTech: highTech))
        }
        for text in weak {
            let placeNames = text == "工业园区"
            all.append(Suffix(text: Array(text.unicodeScalars), display: text, weak: true, highTech: false, placeNames: placeNames))
            all.append(Suffix(text: Array(("国家" + text).unicodeScalars), display: text, weak: true, highTech: false, placeNames: placeNames))
        }
        return all.sorted { $0.text.count > $1.text.count }
    }()

    static let maximumLength = 6
    static let maximumWeakLength = 6

    /// Words after which a name may start: prepositions, particles, and the verbs and adverbs
    /// that put a zone in the object position (`推动`, `发挥`, `进一步`).
    static let boundaryWords: [String] = [
        "在", "于", "到", "至", "由", "从", "自", "向", "对", "与", "和", "及", "同", "把", "将", "为", "是", "让", "使",
        "被", "给", "的", "了", "等", "或", "即", "如", "并", "且", "也", "还", "又", "均", "都", "已", "曾", "就", "看",
        "要", "年", "月", "日", "以及", "走进", "来自", "位于", "地处", "落户", "入驻", "推动", "推进", "鼓励", "支持",
        "引导", "要求", "加强", "加快", "助力", "助推", "激发", "调动", "举办", "举行", "召开", "承办", "主办", "联合",
        "包括", "其中", "同时", "目前", "近日", "日前", "例如", "比如", "前往", "参观", "考察", "调研", "视察", "走访",
        "访问", "签约", "获批", "成立", "设立", "作为", "依托", "携手", "牵头", "聚焦", "成为", "落地", "来到", "设在",
        "分别", "同意", "批复", "认定", "批准", "命名", "升级为", "建设", "打造", "围绕", "面向", "服务", "带动", "支撑",
        "引领", "通过", "根据", "按照", "关于", "对于", "会同", "协同", "促进", "培育", "发展", "深化", "全面", "做好",
        "做强", "做大", "做优", "优化", "提升", "提高", "实现", "开展", "形成", "构建", "完善", "健全", "组织", "指导",
        "落实", "抓紧", "贯彻", "宣传", "介绍", "表示", "指出", "强调", "认为", "希望", "显示", "统计", "据悉", "了解",
        "获悉", "重视", "关注", "支援", "帮助", "扶持", "推广", "借鉴", "学习", "总结", "评价", "评估", "考核", "监测",
        "管理", "规划", "布局", "整合", "联动", "共建", "协作", "交流", "对标", "赋能", "壮大", "集聚", "吸引", "引进",
        "招引", "承接", "辐射", "融入", "参与", "加入", "申报", "申请", "创建", "争创", "入选", "列入", "纳入", "跻身",
        "位列", "位居", "稳居", "排名", "领跑", "覆盖", "对接", "研究", "发挥", "拥有", "具有", "涉及", "坚持", "加大",
        "扩大", "增强", "强化", "巩固", "保障", "确保", "推出", "出台", "发布", "印发", "制定", "公布", "通报", "表彰",
        "授予", "授牌", "挂牌", "揭牌", "启动", "此外", "另外", "因此", "所以", "但是", "而且", "并且", "或者", "不仅",
        "不断", "继续", "充分", "积极", "大力", "全力", "持续", "深入", "切实", "努力", "着力", "高度", "共同", "进一步",
        "主动", "坚决", "一大批", "一批", "一个", "多家", "各个", "每个", "所有",
    ]
    static let boundaries = WordList(boundaryWords)
    /// Single characters that may precede a name but also begin place names (于都, 和田, 同江,
    /// 都匀, 即墨, 且末, 从化, 将乐, 自贡, 如皋, 向阳): a name may start with these.
    static let placeInitials: Set<String> = ["于", "和", "同", "都", "即", "且", "从", "将", "自", "如", "向"]
    /// A name never starts with one of these, nor with an administrative suffix left over from
    /// a name cut short (`XX市` + `甲乙高新区`).
    static let forbiddenStarts = WordList(boundaryWords.filter { !placeInitials.contains($0) } + ["市", "县", "区", "省", "镇", "乡", "村"])

    /// A name holding any of these is a description, not a name: generic words, common nouns
    /// of reports and headings (a heading run into the next line: `研究报告` + `国家高新区…`),
    /// and the multi-character boundary words (`科技部召开` + `国家高新区`).
    static let forbiddenInside = WordList(boundaryWords.filter { $0.count > 1 } + [
        "国家", "省级", "市级", "县级", "区级", "升级", "全国", "全省", "全市", "地区", "区域", "产业", "发展", "创新",
        "示范", "试点", "建设", "合作", "应用", "综合", "特色", "各类", "首批", "多个", "两个", "几个", "这个", "那个",
        "这些", "那些", "其他", "其它", "相关", "有关", "上述", "部分", "多数", "各地", "国内", "国外", "境内", "境外",
        "我国", "中国", "世界", "一流", "我省", "我市", "我区", "本省", "本市", "省内", "市内", "区内", "新兴", "传统",
        "大型", "重点", "主要", "先进", "优秀", "领先", "同类", "现有", "已有", "新建", "单一", "当地", "本地", "属地",
        "沿线", "周边", "一些", "若干", "众多", "更多", "广大", "一般", "普通", "典型", "标杆", "高水平", "高质量", "长三角",
        "珠三角", "京津冀", "粤港澳", "大湾区", "成渝", "东北", "西北", "西南", "华北", "华东", "华南", "华中", "中部",
        "西部", "东部", "沿海", "沿江", "沿边", "边境", "政府", "重视", "高新", "报告", "建议", "启示", "探索", "做法", "实践",
        "思考", "经验", "成效", "意见", "方案", "政策", "措施", "工作", "情况", "问题", "分析", "体会", "动态", "综述", "巡礼",
        "成就", "要闻", "科技", "企业", "创业", "制造", "行业", "系统", "国际", "全区", "该", "各", "此", "这", "那", "其", "每",
        // Descriptions of what kind of zone, not which: `新时代高新区`, `现代化高新区`.
        "新时代", "现代化", "新型", "世界级", "国际化", "新一轮", "一流",
    ])

    /// Words after a zone name that make it an organisation (`某某科学城管委会`).
    static let organisationWords = WordList(["管委会", "管理委员会", "党工委", "工委", "管委", "管理局", "管理办公室", "科技局",
                                             "经发局", "人社局", "投促局", "发展集团", "建设集团", "投资集团", "控股集团", "发展有限公司"])

    /// What follows a zone that is the subject of a title (`某某高新区举办…`, `某某科学城:…`),
    /// as opposed to a description heading a title (`现代化高新区建设的路径`, `…高新区发展新路`).
    static let titleSubjectFollowers = WordList([
        "举办", "举行", "召开", "启动", "发布", "出台", "推出", "开展", "实施", "成立", "揭牌", "挂牌", "签约", "获批", "入选",
        "荣获", "获评", "获得", "获", "实现", "新增", "引进", "落地", "开工", "投用", "上线", "迎来", "再添", "首批", "首个", "首家",
        "打造", "聚焦", "携手", "联合", "助力", "推动", "加快", "全力", "多措并举",
    ])

    /// True when the name ending at `end` of a title stands as its subject: the title ends,
    /// punctuation or a space follows, an organisation word, or a verb of what it did.
    static func isTitleSubject(_ text: [Unicode.Scalar], endingAt end: Int) -> Bool {
        end == text.count || !ScalarClass.isIdeograph(text[end]) || organisationWords.prefixLength(of: text, at: end) != nil
            || titleSubjectFollowers.prefixLength(of: text, at: end) != nil
    }

    /// The longest chain of places a name can be: `江苏苏州相城`.
    static let maximumChain = 10

    /// A name never ends with a particle (`位于湘江之滨的` + `国家高新区`).
    static let particles: Set<Unicode.Scalar> = ["的", "了", "等", "和", "与", "及", "在", "对", "为", "是", "或", "之"]

    /// Gazetteer provinces, cities and list names, which weak-suffix candidates start with.
    let places: WordList
    /// Administrative divisions and gazetteer places, which place names end in.
    let divisions: WordList
    /// Province names: a chain of only these names a province's zones, not a zone.
    let provinces: Set<String>

    init(places: [String], divisions: [String], provinces: Set<String>) {
        self.places = WordList(places)
        self.divisions = WordList(places + divisions)
        self.provinces = provinces
    }

    struct Found {
        var range: Range<Int>
        /// The folded name with its suffix.
        var name: String
        /// Set when the name is a list name of a zone: that zone's entry.
        var listName: (entry: Int, listOnly: Bool)?
        var evidence: Evidence
    }

    /// Why a found name may be a zone.
    enum Evidence: Equatable {
        /// It ends in this place (a division or gazetteer place): accepted.
        case place(String)
        /// An organisation word follows it: accepted.
        case organisation(String)
        /// Only its form: accepted where the article gives more evidence.
        case candidate
    }

    /// Unlisted names in folded `text`. `taken` marks the scalars that aliases already cover
    /// (list names are not taken: a name may start with one, `苏州相城高新区`); `lookup` finds
    /// the zone of a folded name.
    func find(in text: [Unicode.Scalar], taken: [Bool], lookup: (String) -> (entry: Int, listOnly: Bool)?) -> [Found] {
        var found: [Found] = []
        var position = 0
        while position < text.count {
            guard !taken[position], let suffix = Self.suffix(in: text, at: position),
                  !taken[position..<(position + suffix.text.count)].contains(true) else {
                position += 1
                continue
            }
            if suffix.placeNames, let chain = placeChain(before: position, in: text, taken: taken, weak: suffix.weak) {
                let nameText = Self.string(text[chain.start..<position])
                // `洛阳市高新区`, `江苏常熟高新区`: a list name is its zone.
                var zone: (entry: Int, listOnly: Bool)?
                for name in [nameText, chain.last] where suffix.highTech && zone == nil {
                    zone = lookup(name.hasSuffix("市") ? String(name.dropLast()) : name).flatMap { $0.listOnly ? $0 : nil }
                }
                found.append(Found(range: chain.start..<(position + suffix.text.count), name: nameText + suffix.display,
                                   listName: zone, evidence: .place(chain.last)))
            } else if let name = name(before: position, in: text, taken: taken, suffix: suffix) {
                let end = position + suffix.text.count
                let nameText = Self.string(text[name..<position])
                // An organisation names itself at the start of a clause (`。某某科学城管委会表示`);
                // after a conjunction or preposition the name may be a phrase's tail.
                let organisation = Self.startsClause(text, at: name, taken: taken)
                    ? Self.organisationWords.prefixLength(of: text, at: end).map { Self.string(text[end..<(end + $0)]) } : nil
                found.append(Found(range: name..<end, name: nameText + suffix.display, listName: nil,
                                   evidence: organisation.map { .organisation($0) } ?? .candidate))
            }
            position += suffix.text.count
        }
        return found
    }

    /// Scalars a suffix starts with: every other position is skipped at once.
    static let suffixStarts = ScalarSet(suffixes.map { $0.text[0] })

    private static func suffix(in text: [Unicode.Scalar], at position: Int) -> Suffix? {
        guard suffixStarts.contains(text[position]) else { return nil }
        return suffixes.first { suffix in
            position + suffix.text.count <= text.count && text[position..<(position + suffix.text.count)].elementsEqual(suffix.text)
        }
    }

    /// The places that end right before `end`, one after another (`江苏` + `苏州` + `相城`): where
    /// the chain starts and its last place, or nil when there is no place name. A chain is no
    /// name when its first place is the tail of another (`紫金` + `山`: `紫金山科学城` is not
    /// `金山科学城`), when all its places are provinces (`江苏高新区`, `广东省高新区`: the
    /// province's zones), or, before a weak suffix, when it does not start with a gazetteer
    /// place (`苏州相城工业园区` does). Like a candidate, a chain starts at a boundary (`推动宜宾`,
    /// `,宜宾`; not `6石首`, a counter gone wrong, nor `历史古城`), and a district's full name
    /// does not end it (`黄埔区高新区` is the district's zones; zones take the short form).
    private func placeChain(before end: Int, in text: [Unicode.Scalar], taken: [Bool], weak: Bool) -> (start: Int, last: String)? {
        var windowStart = end
        while windowStart > 0, end - windowStart < Self.maximumChain, !taken[windowStart - 1], ScalarClass.isIdeograph(text[windowStart - 1]) {
            windowStart -= 1
        }
        var start = end
        var elements: [String] = []
        while let length = divisions.suffixLength(of: text, endingAt: start, from: windowStart) {
            elements.append(Self.string(text[(start - length)..<start]))
            start -= length
        }
        guard let last = elements.first, !last.hasSuffix("区") else { return nil }
        guard Self.startsClause(text, at: start, taken: taken) || Self.boundaries.suffixLength(of: text, endingAt: start) != nil else { return nil }
        let first = elements[elements.count - 1].unicodeScalars.count
        for cut in 1..<first {
            if let length = divisions.suffixLength(of: text, endingAt: start + cut, from: windowStart), length > cut { return nil }
        }
        if elements.allSatisfy(provinces.contains) { return nil }
        if weak, places.prefixLength(of: text, at: start, end: end) == nil { return nil }
        return (start, last)
    }

    /// Where the candidate name before `end` starts, or nil when there is none.
    private func name(before end: Int, in text: [Unicode.Scalar], taken: [Bool], suffix: Suffix) -> Int? {
        let limit = suffix.weak ? Self.maximumWeakLength : Self.maximumLength
        var windowStart = end
        while windowStart > 0, end - windowStart < limit, !taken[windowStart - 1], ScalarClass.isIdeograph(text[windowStart - 1]) {
            windowStart -= 1
        }
        guard end - windowStart >= 2, !Self.particles.contains(text[end - 1]) else { return nil }
        for start in windowStart...(end - 2) {
            // After a digit come units and counters (`1000万元`, `23家`), not names.
            guard Self.startsClause(text, at: start, taken: taken) || Self.boundaries.suffixLength(of: text, endingAt: start) != nil else { continue }
            guard Self.forbiddenStarts.prefixLength(of: text, at: start, end: end) == nil,
                  !Self.forbiddenInside.occurs(in: text, range: start..<end) else { continue }
            if suffix.weak, places.prefixLength(of: text, at: start, end: end) == nil { continue }
            return start
        }
        return nil
    }

    /// True when `start` begins the text or a clause: after punctuation or a space (not after a
    /// number), or after a gazetteer alias.
    static func startsClause(_ text: [Unicode.Scalar], at start: Int, taken: [Bool]) -> Bool {
        start == 0 || taken[start - 1] || (!ScalarClass.isIdeograph(text[start - 1]) && !followsNumber(text, at: start))
    }

    /// True when a number, perhaps followed by spaces (PDF extraction spaces digits apart from
    /// ideographs), stands right before `start`: counters and units follow numbers
    /// (`4 家…高新区`, `6个高新区`), names do not.
    static func followsNumber(_ text: [Unicode.Scalar], at start: Int) -> Bool {
        var position = start
        while position > 0, text[position - 1] == " " || text[position - 1] == "\u{3000}" { position -= 1 }
        return position > 0 && ScalarClass.isDigit(text[position - 1])
    }

    static func string(_ scalars: some Collection<Unicode.Scalar>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }
}
