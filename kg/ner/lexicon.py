"""Word classes the rule layer and the linker share: unit suffixes, roles, place suffixes, surnames.

These are properties of the Chinese language and of how Chinese police and government units
are named, not names from any document: no person, unit or place of the seeds appears here.
"""

from __future__ import annotations

from kg.resources import load_words

# Unit suffixes, longest first. A unit name is a chain of these: 福州市公安局/仓山分局/三义街派出所.
ORG_SUFFIXES = (
    "中级人民法院", "高级人民法院", "人民法院", "人民检察院", "检察院", "公安分局", "公安局", "公安厅", "公安部",
    "派出所", "交巡警大队", "交警大队", "特警大队", "刑警大队", "治安大队", "巡警大队", "大队", "总队", "支队", "中队",
    "分局", "指挥中心", "政治部", "政工室", "办公室", "警务保障室", "警务室", "党总支", "党支部", "党委", "工委",
    "指导部", "指挥部", "办事处", "管理局", "监督管理局", "分公司", "有限公司", "公司", "总医院", "医院", "大学", "市委",
    "市政府", "县委", "县政府", "区委", "区政府", "省委", "省政府", "日报", "公安报", "警方", "突击队", "战队",
)
# Units named by the pattern PLACE + 公安 (福州公安): an informal name of a city's police.
PLACE_ORGS = ("公安", "警方")
# Function characters that never start or sit inside a short unit or person name.
STOP_CHARS = set("的了在和与及或等是为被把将对从向到由于以各全该本我其这那个位名些每所里也都就还又已正有无不很再给因赴找住去请即兼驻次来使此而")
# Words for organisations in general, never the name of one (公安机关, 有关部门).
GENERIC_ORGS = frozenset(load_words("generic_orgs"))
# Words an organisation's name ends with (中国航空运动协会, 世界贸易组织, 中国人民解放军), beside the unit suffixes.
ORG_HEADS = load_words("org_heads")
# Unit words of which a country has one, so that the word alone names it (公安部 is the Ministry).
NATIONAL_UNITS = frozenset({"公安部"})
# Titles and roles between a unit and a person (洮南市公安局交巡警大队民警周佰发), longest first.
ROLES = (
    "专职副书记", "专职书记", "临时党支部书记", "四级调研员", "三级调研员", "二级调研员", "一级调研员", "调研员",
    "副大队长", "大队长", "副支队长", "支队长", "副中队长", "中队长", "副队长", "队长", "副所长", "所长", "教导员",
    "副局长", "局长", "副政委", "政委", "副主任", "主任", "副部长", "部长", "副书记", "书记", "副市长", "市长",
    "副县长", "县长", "副区长", "区长", "副科长", "科长", "社区民警", "户籍民警", "党员民警", "辅警", "民警",
    "交警", "特警", "刑警", "协警", "警长", "警官", "同事", "记者", "通讯员", "院长", "副院长", "庭长", "法官",
    "干警", "医生", "护士",
    # national and foreign offices (国务院总理李鹏, 美国总统克林顿, 联合国秘书长安南), other titles
    "国务委员", "副总理", "总理", "副总统", "总统", "副主席", "主席", "副委员长", "委员长", "常委", "委员",
    "总书记", "副秘书长", "秘书长", "外长", "首相", "大使", "总领事", "领事", "发言人", "司令员", "参谋长",
    "董事长", "总经理", "经理", "厂长", "校长", "教授", "村长", "村支书", "乡长", "镇长", "副省长", "省长",
    "州长", "议长", "特派员", "大夫", "国王", "女王", "总督", "劳模", "职工", "纪检员",
)
# Titles of a country's own offices: after a country's name they tie the person to it (美国总统克林顿).
COUNTRY_TITLES = frozenset({"总统", "副总统", "总理", "副总理", "首相", "外长", "国王", "女王", "总督", "议长"})
# Role → the kind of unit it belongs to, used when the unit is not in the same phrase.
ROLE_UNIT = {"所长": "派出所", "副所长": "派出所", "教导员": "派出所", "局长": "局", "副局长": "局", "政委": "局",
             "大队长": "大队", "副大队长": "大队", "支队长": "支队", "副支队长": "支队", "中队长": "中队",
             "副中队长": "中队", "部长": "部", "副市长": "市政府", "市长": "市政府",
             "院长": "法院", "副院长": "法院", "庭长": "法院",
             "临时党支部书记": "突击队"}  # a temporary party branch is set up in a task force
# Government roles that do not make someone a member of the police unit in the same phrase.
GOV_ROLES = {"副市长": "市政府", "市长": "市政府", "副县长": "县政府", "县长": "县政府", "副区长": "区政府",
             "区长": "区政府"}
# Place suffixes below the county level (townships, streets, compounds, roads, checkpoints).
LOC_SUFFIXES = (
    "疫情防控服务站", "疫情防控检查站", "服务站", "检查站", "高速出口", "收费站", "街道", "社区", "小区", "花园",
    "广场", "大道", "公路", "高速", "乡", "镇", "村", "路", "街", "巷", "片区", "口岸", "机场", "火车站", "车站",
    "开发区", "大桥", "旅游区", "风景区", "景区", "瀑布", "水库",
)
# Places an organisation's name may seem to be: hotels and inns are where things happen (芙蓉宾馆).
LODGINGS = ("宾馆", "饭店", "酒店", "旅社", "旅馆", "招待所")
# …and shops and firms, which a model may read as places, are organisations (五金电工批发商店).
FIRMS = ("商店", "公司", "集团", "银行", "工厂", "商场")
# Words that look like a name part before a unit or place suffix but name nothing (辖区派出所).
GENERIC_PARTS = {"辖区", "基层", "属地", "当地", "所在", "各级", "上级", "下级", "全体", "临时", "相关", "有关",
                 "两级", "多个", "部分", "一线", "建立", "成立"}  # generic words, not names
# Places below the county an officer is posted to, or a team or a unit is named after (隆兴社区民警,
# 沙埔头社区抗疫突击队, 沙埔头指挥部)
BEAT_SUFFIXES = ("社区", "街道", "村")
# Words for an area, not a name, that may stand before a place name (市区滨河花园小区) or a unit
AREA_WORDS = ("市区", "城区", "辖区", "本市", "全市", "市内", "郊区")
# Set phrases built of place suffixes (街, 巷, 乡, 村): no place is named in them.
IDIOMS = ("街头巷尾", "大街小巷", "走街串巷", "穿街走巷", "十里八乡", "走村入户", "进村入户", "城乡", "乡里乡亲")
# Directions that may follow a place name inside a facility name (白城东 … 服务站).
DIRECTIONS = set("东南西北")
ANON_SUFFIXES = ("某某", "某", "先生", "女士", "小姐", "师傅", "大爷", "大妈", "阿姨")
# The most common Chinese surnames (the Hundred Family Surnames' frequent part, plus compounds).
SURNAMES = set(
    # 和, 全, 解, 查, 向 and 荣 are real but rare surnames that open common words (和工作, 全力, 解决): left out
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟"
    "谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安"
    "齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛"
    "靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧"
    "闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚习"
    "皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦"
    "戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信"
    "展阴昝智幸奉植衡富尧闭由"
) - set("和全解查荣") | {"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯", "令狐"}
# Characters that end a given name early when they follow a surname + one character (李义一直 → 李义).
NAME_BREAKERS = set("一在说还和与的是了也都就又已正将把被对从向为等带主经立迅告看竖给讲谈参打同于到驾得开便却仍再更"
                    "要会能可以因所而并及或跟让叫请使由作做当")
