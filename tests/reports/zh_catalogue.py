"""The Simplified Chinese of every msgid in reports/ (to be merged into the app's
catalogue; /work/scratch/reports_zh.json is written from this dict). Where the app's
catalogue already translates a msgid, the same translation is used here."""

ZH: dict[str, str] = {
    # levels, grades, statuses, categories, aggregates
    "Units": "单位",
    "Service points": "服务窗口",
    "Cadres": "干部",
    "Excellent": "优秀",
    "Competent": "称职",
    "Basic": "基本称职",
    "Incompetent": "不称职",
    "Rated": "已评定",
    "Insufficient": "样本不足",
    "Residents": "群众",
    "Grassroots units": "基层单位",
    "Service targets": "服务对象",
    "Mean": "平均值",
    "Trimmed mean": "截尾平均值",
    "Mean shrunk towards the category's mean": "向类别总体均值收缩的平均值",
    # table columns
    "Level": "层级",
    "Rank": "名次",
    "Rank interval": "名次区间",
    "Rank interval: best": "名次区间（最好）",
    "Rank interval: worst": "名次区间（最差）",
    "ID": "编号",
    "Name": "名称",
    "Unit ID": "单位编号",
    "Unit": "单位",
    "Status": "状态",
    "Composite score": "综合得分",
    "Standard error": "标准误",
    "Confidence interval": "置信区间",
    "Confidence interval, low (%(confidence)s)": "置信区间下限（%(confidence)s）",
    "Confidence interval, high (%(confidence)s)": "置信区间上限（%(confidence)s）",
    "Grade": "等次",
    "Bonus coefficient": "奖金系数",
    "Bonus amount": "奖金金额",
    "Satisfaction rate (%(category)s)": "满意率（%(category)s）",
    "Responses": "评价数",
    "Responses (%(category)s)": "评价数（%(category)s）",
    "Score (%(category)s)": "得分（%(category)s）",
    "Indicator: %(indicator)s": "指标：%(indicator)s",
    "Previous composite": "上期综合得分",
    "Change": "变化",
    # sheets, cover, parameters
    "Parameters": "参数",
    "Method": "计分方法",
    "Cover": "封面",
    "Ranked assessment report": "测评结果排名报告",
    "Targets by level": "各层级评价对象",
    "Targets": "评价对象",
    "Scoring parameters": "计分参数",
    "Category": "评议类别",
    "Weight": "权重",
    "Minimum responses": "最少评价数",
    "Campaign": "测评活动",
    "Campaign code": "测评活动编码",
    "Period": "时间",
    "Scoring run": "计分编号",
    "Input SHA-256": "输入 SHA-256",
    "Result SHA-256": "结果 SHA-256",
    "Generated at": "生成时间",
    "Category score": "类别得分算法",
    "Share trimmed from each end (trimmed mean)": "两端各剔除的比例（截尾平均值）",
    "Prior strength (shrunk mean)": "先验强度（收缩平均值）",
    "Minimum share of the category weights for a rating": "参与评定所需的最低类别权重占比",
    "A response counts as satisfied from this score": "评价得分达到此分数即计为满意",
    "Confidence level": "置信水平",
    "Incompetent below": "称职分数线（低于此分为不称职）",
    "Basic below": "基本称职分数线（低于此分为基本称职）",
    "Excellent from": "优秀分数线（达到此分可评优秀）",
    "Excellent quota (share of the rated targets)": "优秀比例上限（占有效评定对象的比例）",
    "Bonus coefficient: excellent": "奖金系数：优秀",
    "Bonus coefficient: competent": "奖金系数：称职",
    "Bonus coefficient: basic": "奖金系数：基本称职",
    "Bonus coefficient: incompetent": "奖金系数：不称职",
    "Bonus pool (per level)": "奖金总额（每个层级）",
    "none (coefficients only)": "无（只计算系数）",
    "Category of the funnel plot": "漏斗图所用评议类别",
    # PDF sections
    "%(level)s: ranked table": "%(level)s：排名表",
    "%(rated)s rated and %(insufficient)s insufficient. Rated targets in rank order, then the "
    "insufficient ones by id. The rank interval gives the ranks a target could hold within the "
    "confidence level; the grade column shows the status of a target without a grade.": (
        "有效评定 %(rated)s 个，样本不足 %(insufficient)s 个。有效评定的对象按名次排列，"
        "样本不足的对象随后按编号排列。名次区间是在置信水平下该对象可能所处的名次范围；"
        "未评定等次的对象在等次一栏显示其状态。"
    ),
    "By unit": "分单位情况",
    "Not assigned to a unit": "未归属单位",
    "%(name)s (%(id)s)": "%(name)s（%(id)s）",
    "The unit itself, ranked among all units": "单位本身（在全部单位中排名）",
    "Indicator scores of the unit": "单位各项指标得分",
    "This unit is not itself appraised in this campaign.": "本单位本身未参加本次测评。",
    "Service points of this unit, ranked among all service points: %(count)s": (
        "本单位服务窗口（在全部服务窗口中排名）：%(count)s 个"
    ),
    "Cadres of this unit, ranked among all cadres: %(count)s": (
        "本单位干部（在全部干部中排名）：%(count)s 名"
    ),
    "Appendix: method": "附录：计分方法",
    "%(campaign)s · page %(page)s of %(pages)s": "%(campaign)s · 第 %(page)s 页，共 %(pages)s 页",
    # the marks every file carries (status, run, input SHA-256, when computed)
    "Provisional": "暂定",
    "Final": "定稿",
    "Report status": "报告状态",
    "Computed at": "计算时间",
    "%(label)s: %(value)s": "%(label)s：%(value)s",
    "Final: the frozen scoring run of the finalised campaign.": (
        "定稿：已定稿测评活动的冻结计分结果。"
    ),
    "Provisional: the campaign is not finalised, and these results may still change. "
    "Do not base promotions or bonuses on them.": (
        "暂定：测评活动尚未定稿，结果仍可能变动，不得据此决定晋升或奖金。"
    ),
    # charts
    "%(level)s: composite scores by rank, with %(confidence)s confidence intervals": (
        "%(level)s：按名次排列的综合得分及其 %(confidence)s 置信区间"
    ),
    "%(level)s: funnel plot of the satisfaction rate (%(category)s)": (
        "%(level)s：满意率漏斗图（%(category)s）"
    ),
    "%(level)s limits": "%(level)s 控制限",
    "Average rate %(rate)s": "平均满意率 %(rate)s",
    "Within the limits": "在控制限以内",
    "Above the %(level)s limit": "高于 %(level)s 控制上限",
    "Below the %(level)s limit": "低于 %(level)s 控制下限",
    "Satisfaction rate": "满意率",
    "%(level)s: indicator scores": "%(level)s：各项指标得分",
    "%(level)s: indicator scores of the %(count)s best and %(count)s worst": (
        "%(level)s：排名前 %(count)s 位和后 %(count)s 位的指标得分"
    ),
    "… %(count)s targets not shown …": "…… 另有 %(count)s 个评价对象未列出 ……",
    "Indicator score": "指标得分",
    "%(level)s: composite score against the previous campaign": (
        "%(level)s：本期与上期综合得分对比"
    ),
    "No change": "无变化",
    "Composite in the previous campaign": "上期综合得分",
    "Composite in this campaign": "本期综合得分",
    # the method
    ", ": "、",
    "%(category)s %(weight)s": "%(category)s %(weight)s",
    "%(category)s %(minimum)s": "%(category)s %(minimum)s",
    "Where the figures come from": "数据来源",
    "Every figure in this report is copied from the scoring result of run %(run)s (SHA-256 "
    "%(result)s), computed from the scoring input with SHA-256 %(input)s. Anyone who holds the "
    "input can recompute the result with the command python -m scoring run INPUT.json and "
    "compare it byte for byte.": (
        "本报告中的每个数字均取自第 %(run)s 号计分的计分结果（SHA-256 %(result)s），"
        "该结果由 SHA-256 为 %(input)s 的计分输入计算得出。持有该输入的任何人都可以用命令 "
        "python -m scoring run INPUT.json 重新计算，并逐字节核对结果。"
    ),
    "The PDF shows scores with two decimals and rates as percentages with one decimal; the "
    "spreadsheet and CSV versions carry every number at full precision. Only two figures are "
    "made by the report itself: the total number of responses (the sum over the categories) "
    "and the change against the previous campaign (this composite minus the previous one).": (
        "PDF 中得分保留两位小数，比率以百分数表示并保留一位小数；电子表格和 CSV 版本保留每个"
        "数字的全部精度。只有两项数字由报告自行得出：评价总数（各评议类别评价数之和）和与上期"
        "相比的变化（本期综合得分减去上期综合得分）。"
    ),
    "Response score": "评价得分",
    "Each answer carries points from 0 to 100: option i of a scale of k options, worst first, "
    'gets 100 × (i − 1) ÷ (k − 1); a 0–10 scale gives 10 points per step. "Not applicable", '
    "unanswered, text and multiple-choice questions carry no points and do not count.": (
        "每个回答的分值在 0 到 100 之间：共 k 个选项、由差到好排列的量表，第 i 个选项得 "
        "100 × (i − 1) ÷ (k − 1) 分；0–10 分量表每级 10 分。“不适用”、未作答、简答题和多选题"
        "不计分值，也不计入得分。"
    ),
    "Within each indicator a response's points are averaged with the questions' weights; the "
    "response score is the average of its indicator scores with the indicator weights, over "
    "the indicators it answered. A response without any points has no score and is not "
    "counted.": (
        "在每项指标内，按题目权重对一份评价的分值加权平均；评价得分是该评价已作答各指标得分按"
        "指标权重的加权平均。没有任何分值的评价没有得分，不计入统计。"
    ),
    "Score in a respondent category": "评议类别得分",
    "A target's score in a respondent category is the mean of its response scores. Its "
    "standard error is the sample standard deviation divided by √n, and its %(confidence)s "
    "confidence interval uses Student's t with n − 1 degrees of freedom.": (
        "评价对象在某一评议类别中的得分是其各份评价得分的平均值。标准误为样本标准差除以 √n，"
        "%(confidence)s 置信区间按自由度为 n − 1 的 t 分布计算。"
    ),
    "A target's score in a respondent category is the trimmed mean of its response scores: "
    "the lowest and the highest %(trim)s of the scores (rounded down to whole responses, g at "
    "each end) are set aside and the rest are averaged. Its standard error comes from the "
    "standard deviation of the winsorised scores, and its %(confidence)s confidence interval "
    "uses Student's t with n − 2g − 1 degrees of freedom.": (
        "评价对象在某一评议类别中的得分是其评价得分的截尾平均值：最低和最高各 %(trim)s 的得分"
        "（向下取整为整数份，两端各 g 份）不参与计算，其余取平均。标准误由缩尾后得分的标准差"
        "求得，%(confidence)s 置信区间按自由度为 n − 2g − 1 的 t 分布计算。"
    ),
    "A target's score in a respondent category is its mean response score shrunk towards the "
    "category's mean: (n × mean + k × μ) ÷ (n + k), where μ is the mean of all response scores "
    "of that category among the targets of the same level and k = %(prior)s is the prior "
    "strength. A target with few responses is thus pulled towards the average. Its standard "
    "error is s × √n ÷ (n + k), and its %(confidence)s confidence interval is the score ± z × "
    "SE with z = %(z)s.": (
        "评价对象在某一评议类别中的得分是向该类别总体均值收缩后的平均值："
        "(n × 平均值 + k × μ) ÷ (n + k)，其中 μ 为同一层级所有评价对象在该类别中全部评价得分"
        "的平均值，k = %(prior)s 为先验强度。因此评价数较少的对象会被拉向总体平均水平。"
        "标准误为 s × √n ÷ (n + k)，%(confidence)s 置信区间为得分 ± z × 标准误，z = %(z)s。"
    ),
    "A category's indicator scores are the means of the responses' indicator scores.": (
        "某一评议类别的各项指标得分是各份评价该指标得分的平均值。"
    ),
    "Sufficient responses": "评价数是否充足",
    "A respondent category counts for a target only when it has at least as many scored "
    "responses as its minimum (never fewer than 2). Minimums in this campaign: "
    "%(minimums)s.": (
        "只有当某一评议类别的有效评价数不少于规定的最少评价数（且至少 2 份）时，该类别才计入"
        "评价对象的得分。本次测评的最少评价数：%(minimums)s。"
    ),
    "The composite score is the average of the sufficient categories' scores with the "
    "category weights (%(weights)s), renormalised over the sufficient categories. Its standard "
    "error combines the categories' standard errors with the same weights, and its confidence "
    "interval is the composite ± z × SE with z = %(z)s (%(confidence)s confidence). The "
    "composite's indicator scores combine the categories' indicator scores in the same way.": (
        "综合得分是评价数充足的各评议类别得分按类别权重（%(weights)s）的加权平均，权重在这些"
        "类别之间重新归一。其标准误由各类别标准误按同样的权重合成，置信区间为综合得分 ± z × "
        "标准误，z = %(z)s（%(confidence)s 置信水平）。综合的各项指标得分也按同样方法由各类别"
        "的指标得分合成。"
    ),
    "Rated and insufficient": "有效评定与样本不足",
    "A target is rated when the weights of its sufficient categories add up to at least "
    "%(share)s of all category weights. Otherwise it is insufficient: its composite is still "
    "shown when at least one category is sufficient, but it gets no rank, no grade and no "
    "bonus.": (
        "评价数充足的各评议类别权重之和不低于全部类别权重的 %(share)s 时，评价对象为有效评定；"
        "否则为样本不足：只要至少有一个类别评价数充足，仍显示其综合得分，但不排名次、不评等次、"
        "不计奖金。"
    ),
    "Rated targets are ranked within their level: units against units, service points "
    "against service points, cadres against cadres. The order is the composite score, higher "
    "first; equal composites are ordered by the residents' category score where that "
    "category is sufficient (higher first, none last), then by the total number of responses "
    "(more first), then by id (ascending).": (
        "有效评定的对象在本层级内排名：单位与单位比，服务窗口与服务窗口比，干部与干部比。"
        "按综合得分从高到低排列；综合得分相同时，依次比较群众类别得分（仅在该类别评价数充足时"
        "计入，高者在前，无此得分者在后）、评价总数（多者在前）、编号（升序）。"
    ),
    "The rank interval shows how sure a rank is. Its best end is 1 plus the number of targets "
    "whose composite is higher by more than z = %(z)s combined standard errors; its worst end "
    "is the number of rated targets minus the number that are lower by that much. A wide "
    "interval means the neighbouring scores cannot be told apart with %(confidence)s "
    "confidence.": (
        "名次区间表示名次的确定程度。最好名次为 1 加上综合得分高出本对象超过 z = %(z)s 倍合成"
        "标准误的对象个数；最差名次为有效评定对象总数减去综合得分低出同样幅度的对象个数。区间"
        "越宽，说明在 %(confidence)s 置信水平下与相邻对象的得分越难区分。"
    ),
    "Grades are given in rank order. A vetoed target is incompetent; a composite below "
    "%(fail)s is incompetent; below %(basic)s it is basic; from %(excellent)s it is excellent "
    "as long as fewer targets are excellent so far than %(quota)s of the level's rated targets "
    "(%(rounding)s); otherwise it is competent. A target above the excellent mark but outside "
    "the quota is therefore competent.": (
        "等次按名次顺序评定。被一票否决的对象为不称职；综合得分低于 %(fail)s 为不称职；低于 "
        "%(basic)s 为基本称职；达到 %(excellent)s 且此前评为优秀的对象数尚少于本层级有效评定"
        "对象数的 %(quota)s（%(rounding)s）时为优秀；其余为称职。因此，得分达到优秀分数线但超出"
        "优秀比例的对象为称职。"
    ),
    "rounded down": "向下取整",
    "rounded to the nearest, a half up": "四舍五入",
    "rounded up": "向上取整",
    "Scoring rules (revision)": "计分规则（版本）",
    "Number of excellent places": "优秀名额",
    "Each grade carries a bonus coefficient: excellent %(excellent)s, competent "
    "%(competent)s, basic %(basic)s, incompetent %(incompetent)s.": (
        "每个等次对应一个奖金系数：优秀 %(excellent)s，称职 %(competent)s，基本称职 %(basic)s，"
        "不称职 %(incompetent)s。"
    ),
    "No bonus pool is set: the report gives the coefficients only.": (
        "未设定奖金总额：报告只给出奖金系数。"
    ),
    "Each level shares a bonus pool of %(pool)s in proportion to the coefficients: amount = "
    "pool × coefficient ÷ the sum of the coefficients of the level's rated targets (0 when "
    "that sum is 0).": (
        "每个层级按奖金系数分配 %(pool)s 的奖金总额：金额 = 奖金总额 × 本对象系数 ÷ 本层级全部"
        "有效评定对象的系数之和（系数之和为 0 时金额为 0）。"
    ),
    "Satisfaction rate and funnel plot": "满意率与漏斗图",
    "A response is satisfied when its score is at least %(threshold)s. A satisfaction rate is "
    "the share of satisfied responses, with a Wilson score interval. The satisfaction rate "
    "the tables show is that of %(category)s, the category of the funnel plot.": (
        "评价得分不低于 %(threshold)s 的评价计为满意。满意率是满意评价所占的比例，其区间按 "
        "Wilson 得分区间计算。表中的满意率为%(category)s类别的满意率，即漏斗图所用的类别。"
    ),
    "The funnel plot sets each target's satisfaction rate against its number of responses, "
    "around the level's average rate P (all satisfied responses divided by all responses), "
    "with limits P ± z × √(P × (1 − P) ÷ n) at %(p95)s (z = 1.96) and %(p998)s (z = 3.09). A "
    "target outside the %(p998)s limits is a signal, high or low: its rate differs from the "
    "average by more than chance explains. Differences within the limits are likely to be "
    "chance.": (
        "漏斗图以评价数为横轴、满意率为纵轴，围绕本层级的平均满意率 P（全部满意评价数除以全部"
        "评价数），画出 %(p95)s（z = 1.96）和 %(p998)s（z = 3.09）的控制限 "
        "P ± z × √(P × (1 − P) ÷ n)。落在 %(p998)s 控制限以外的对象为异常信号（偏高或偏低）："
        "其满意率与平均水平的差异超出了偶然因素所能解释的范围。控制限以内的差异很可能出于偶然。"
    ),
    "Charts": "图表",
    "The composite chart shows each rated target's composite score with its confidence "
    "interval, in rank order, with the grade marks as lines; targets are named when a level "
    "has at most %(limit)s of them.": (
        "综合得分图按名次顺序显示每个有效评定对象的综合得分及其置信区间，等次分数线以直线标出；"
        "某一层级的对象不超过 %(limit)s 个时逐一标注名称。"
    ),
    "The indicator heat map shows every target of a level when there are at most %(all)s; "
    "otherwise the %(each)s best and the %(each)s worst rated targets by rank.": (
        "指标热力图在某一层级的对象不超过 %(all)s 个时显示全部对象；否则只显示按名次排在前 "
        "%(each)s 位和后 %(each)s 位的有效评定对象。"
    ),
    "The change chart sets each target's composite against its composite in the previous "
    "campaign; points above the diagonal improved.": (
        "变化图将每个对象的本期综合得分与上期综合得分对比；位于对角线上方的点表示得分提高。"
    ),
    "Spreadsheets": "电子表格",
    "In the CSV version a text cell that begins with =, +, -, @, a tab or a line break starts "
    "with an apostrophe ('), so that no spreadsheet program runs it as a formula; the "
    "spreadsheet version stores every text cell as text, which no program runs. Numbers are "
    "never changed.": (
        "在 CSV 版本中，以 =、+、-、@、制表符或换行符开头的文本单元格前加一个单引号（'），"
        "以免电子表格软件将其当作公式执行；电子表格版本中的文本单元格一律按文本存储，"
        "任何软件都不会执行。数字不作任何改动。"
    ),
    "The CSV version begins with a few lines of two cells each (the report's status, the "
    "scoring run, the input SHA-256 and when the run was computed), then an empty line, then "
    "the table with its header.": (
        "CSV 版本开头是几行两列的说明（报告状态、计分编号、输入 SHA-256 和计算时间），"
        "随后是一个空行，再往下是带表头的表格。"
    ),
    "Grades": "等次",
    "Bonus": "奖金",
}
